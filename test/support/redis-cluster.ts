// A private Redis Cluster for the suites that run against one: six redis-server
// processes on free ports (three masters, three replicas), joined with
// `redis-cli --cluster create`. Nothing is persisted; kill() crashes one node.
// Each node logs to the cluster's temporary folder; KEEP_CLUSTER_DIR=1 keeps
// that folder after stop(), to read the logs of a failed run.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "redis";
import { freePort } from "./redis-server.ts";

export interface TestRedisCluster {
  /** Seed nodes, `redis://127.0.0.1:<port>` each (REDIS_CLUSTER_NODES's form). */
  nodes: string[];
  ports: number[];
  /** Kills the node on this port (SIGKILL: like a crash). */
  kill(port: number): Promise<void>;
  /** Stops the node on this port (SIGSTOP: connected, answering nothing), and lets it go on (SIGCONT). */
  pause(port: number): void;
  resume(port: number): void;
  /** The port of a master's replica, as the master sees it. */
  replicaOf(master: number): Promise<number>;
  /** The slot of a key, as the cluster computes it (hash tags included). */
  slotOf(key: string): Promise<number>;
  /** The port of the master that serves `slot` now, as a live node sees it. */
  masterOf(slot: number): Promise<number>;
  /** Any command to the node on this port (e.g. PUBSUB SHARDCHANNELS, which each shard answers for itself). */
  command(port: number, args: string[]): Promise<unknown>;
  /** Resolves once a live node other than `port` serves every slot `port` served, and the cluster says ok. */
  failedOver(port: number, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/** How long a master may be silent before its replica takes over: short, so a failover test is quick. */
const NODE_TIMEOUT_MS = 1000;
/** Every wait here is bounded; the state it waits for is polled this often. */
const STEP_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function command<T>(port: number, args: string[]): Promise<T> {
  const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
  client.on("error", () => {});
  await client.connect();
  try {
    return await client.sendCommand<T>(args);
  } finally {
    client.destroy();
  }
}
const ask = (port: number, args: string[]) => command<string>(port, args);

async function until(what: string, ms: number, test: () => Promise<boolean>): Promise<void> {
  for (const started = Date.now(); Date.now() - started < ms; await sleep(STEP_MS)) {
    if (await test().catch(() => false)) return;
  }
  throw new Error(`redis cluster: ${what} within ${ms} ms`);
}

/** CLUSTER SHARDS would be newer; CLUSTER SLOTS is on every Redis 7 and lists masters first. */
async function slotMasters(port: number): Promise<Array<{ from: number; to: number; port: number }>> {
  const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
  client.on("error", () => {});
  await client.connect();
  try {
    const rows = await client.sendCommand<Array<[number, number, [string, number, ...unknown[]]]>>([
      "CLUSTER",
      "SLOTS",
    ]);
    return rows.map(([from, to, [, masterPort]]) => ({ from, to, port: masterPort }));
  } finally {
    client.destroy();
  }
}

export async function startRedisCluster(): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), "convoy-redis-cluster-"));
  // Six client ports, and six for the cluster bus: by default port + 10000, which may be taken, or past 65535.
  const free = new Set<number>();
  while (free.size < 12) free.add(await freePort());
  const ports = [...free].slice(0, 6);
  const busPorts = [...free].slice(6);
  const children = new Map<number, ChildProcess>();
  for (const [i, port] of ports.entries()) {
    const child = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--cluster-port",
        String(busPorts[i]),
        "--bind",
        "127.0.0.1",
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        join(dir, `nodes-${port}.conf`),
        "--cluster-node-timeout",
        String(NODE_TIMEOUT_MS),
        // A replica that never finished its first sync refuses to take over: start that sync at once.
        "--repl-diskless-sync-delay",
        "0",
        "--appendonly",
        "no",
        "--save",
        "",
        "--dir",
        dir,
        "--logfile",
        join(dir, `log-${port}.txt`),
      ],
      { stdio: "ignore" },
    );
    children.set(port, child);
  }
  const running = (port: number) => {
    const child = children.get(port);
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  };
  const live = () => ports.filter(running);

  async function kill(port: number) {
    const child = children.get(port);
    if (!child || !running(port)) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  }
  async function stop() {
    await Promise.all(ports.map(kill));
    if (!process.env.KEEP_CLUSTER_DIR) rmSync(dir, { recursive: true, force: true });
  }

  try {
    for (const port of ports)
      await until(`port ${port} answers PING`, 5000, async () => (await ask(port, ["PING"])) === "PONG");
    const create = spawn(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...ports.map((port) => `127.0.0.1:${port}`),
        "--cluster-replicas",
        "1",
        "--cluster-yes",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    create.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(create, "exit")) as [number | null];
    if (code !== 0) throw new Error(`redis-cli --cluster create exited with ${code}: ${stderr}`);
    await until("every node says cluster_state:ok", 15_000, async () => {
      const infos = await Promise.all(ports.map((port) => ask(port, ["CLUSTER", "INFO"])));
      return infos.every((info) => info.includes("cluster_state:ok"));
    });
    // Every node must also know the whole layout, or a client seeded from a late one sees holes.
    await until("every node knows all 16384 slots", 15_000, async () => {
      const layouts = await Promise.all(ports.map(slotMasters));
      return layouts.every((ranges) => ranges.reduce((sum, r) => sum + r.to - r.from + 1, 0) === 16384);
    });
    // A replica takes over only with data of its own: wait until each has synced with its master.
    await until("every replica has synced with its master", 15_000, async () => {
      const roles = await Promise.all(ports.map((port) => ask(port, ["INFO", "replication"])));
      const replicas = roles.filter((info) => info.includes("role:slave"));
      return replicas.length === 3 && replicas.every((info) => info.includes("master_link_status:up"));
    });
  } catch (err) {
    await stop();
    throw err;
  }

  async function replicaOf(master: number): Promise<number> {
    const info = await ask(master, ["INFO", "replication"]);
    const port = /^slave0:.*\bport=(\d+)/m.exec(info)?.[1];
    if (!port) throw new Error(`redis cluster: ${master} has no replica`);
    return Number(port);
  }

  async function slotOf(key: string): Promise<number> {
    return Number(await ask(live()[0]!, ["CLUSTER", "KEYSLOT", key]));
  }

  async function masterOf(slot: number): Promise<number> {
    for (const port of live()) {
      try {
        const range = (await slotMasters(port)).find((r) => r.from <= slot && slot <= r.to);
        if (range) return range.port;
      } catch {
        // that node is going away: ask the next
      }
    }
    throw new Error(`redis cluster: nobody serves slot ${slot}`);
  }

  async function failedOver(port: number, ms = 15_000) {
    await until(`a replica takes over from ${port}`, ms, async () => {
      for (const other of live()) {
        const ranges = await slotMasters(other);
        const info = await ask(other, ["CLUSTER", "INFO"]);
        if (!info.includes("cluster_state:ok") || ranges.some((r) => r.port === port)) return false;
      }
      return true;
    });
  }

  return {
    nodes: ports.map((port) => `redis://127.0.0.1:${port}`),
    ports,
    kill,
    pause: (port: number) => void children.get(port)?.kill("SIGSTOP"),
    resume: (port: number) => void children.get(port)?.kill("SIGCONT"),
    replicaOf,
    slotOf,
    masterOf,
    command,
    failedOver,
    stop,
  };
}
