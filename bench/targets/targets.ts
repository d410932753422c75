// The servers under test, each its own process so that its CPU and memory can
// be read from /proc: Convoy as shipped (server/dist/main.js, embedded on its
// SQLite store), Convoy clustered over Redis, and the bare Socket.IO baseline.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { usageOf, type Usage } from "../lib/proc.ts";

export type TargetKind =
  | "convoy"
  /** A second Convoy process, the same as "convoy", in the turns (as "bare-twin" is for bare). */
  | "convoy-twin"
  /** 2 workers and Redis; `convoy-cluster-<n>` for n workers. */
  | "convoy-cluster"
  | `convoy-cluster-${number}`
  | "convoy-hold"
  /** Convoy at its real password cost, for the login flood. */
  | "convoy-flood"
  | "bare"
  /**
   * A second bare server, the same as "bare", in the turns: how far apart two
   * runs of one server come out is how fine the turns can tell servers apart.
   */
  | "bare-twin"
  | "bare-1ns"
  | "bare-hold"
  /** Bare Socket.IO on 2 workers with the Redis adapter (sharded, a channel per room). */
  | "bare-cluster"
  /**
   * Bare Socket.IO served from the "convoy" target's own process, on a port of
   * its own (turns only): the same relay as "bare", in Convoy's heap.
   */
  | "bare-in-convoy";

export interface Target {
  kind: TargetKind;
  url: string;
  /** Convoy's login and groups exist; the bare server has neither. */
  convoy: boolean;
  usage(): Usage;
  /** Bare Socket.IO served from this process too ("bare-in-convoy"); its usage is this process's. */
  hosted?: Target;
  /** A cluster's Redis alone (its usage is in `usage()` too). */
  redisUsage?(): Usage;
  stop(): Promise<void>;
}

const serverMain = fileURLToPath(new URL("../../server/dist/main.js", import.meta.url));
const STARTUP_MS = 30_000;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits for `child` to pass `check`; a child that exits, fails to spawn or is too slow is killed and reported. */
async function until(what: string, child: ChildProcess, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  let failure: Error | null = null;
  child.once("error", (err) => (failure = err));
  child.once("exit", (code) => (failure ??= new Error(`${what} exited (${code}) while starting`)));
  while (!(await check().catch(() => false))) {
    if (!failure && Date.now() > deadline)
      failure = new Error(`${what} did not start within ${STARTUP_MS} ms`);
    if (failure) {
      await stopper(child)();
      throw failure;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

function stopper(child: ChildProcess) {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
      const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.once("exit", () => (clearTimeout(kill), resolve()));
      child.kill("SIGTERM");
    });
}

function target(kind: TargetKind, child: ChildProcess, port: number): Target {
  return {
    kind,
    url: `http://127.0.0.1:${port}`,
    convoy: kind.startsWith("convoy"),
    usage: () => usageOf(child.pid!),
    stop: stopper(child),
  };
}

/**
 * Convoy as shipped: without REDIS_URL in `env`, embedded mode on a fresh
 * DATA_DIR (its SQLite database on this disk), removed when it stops.
 * `hostBare`: the bare server's script, loaded into the same process
 * (`Target.hosted`).
 */
export async function startConvoy(
  env: Record<string, string> = {},
  kind: TargetKind = "convoy",
  nodeArgs: string[] = [],
  hostBare?: string,
): Promise<Target> {
  const port = await freePort();
  const barePort = hostBare ? await freePort() : 0;
  const dataDir = mkdtempSync(join(tmpdir(), "convoy-bench-"));
  const hosting = hostBare ? ["--import", pathToFileURL(hostBare).href] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...hosting, serverMain], {
    env: {
      ...process.env,
      PORT: String(port),
      LOG_LEVEL: "warn",
      DATA_DIR: dataDir,
      // Embedded mode makes and keeps its own key; clustered mode needs one.
      ...(env.REDIS_URL ? { JWT_SECRET: randomBytes(32).toString("hex") } : {}),
      // The bench registers thousands of users; login cost is not what it measures.
      PASSWORD_COST: "1024",
      // Its clients come from a few loopback addresses, and whole groups of thousands:
      // the per-address limits and quotas sized for one person's device would refuse the bench itself.
      LIMIT_LOGINS_PER_MINUTE: "100000000",
      LIMIT_REGISTRATIONS_PER_HOUR: "100000000",
      LIMIT_HANDSHAKES_PER_MINUTE: "100000000",
      QUOTA_CONNECTIONS_PER_ADDRESS: "100000000",
      QUOTA_UNAUTHENTICATED_PER_ADDRESS: "100000000",
      QUOTA_GROUP_MEMBERS: "100000000",
      // The ride's stalled subscriber subscribes to every group of the run at once.
      LIMIT_EVENTS_PER_SECOND: "100000000",
      LIMIT_USER_EVENTS_PER_SECOND: "100000000",
      BENCH_TARGET: kind,
      ...(hostBare ? { BARE_HOSTED_PORT: String(barePort) } : {}),
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  child.once("exit", () => rmSync(dataDir, { recursive: true, force: true }));
  await until("convoy", child, async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);
  if (!hostBare) return target(kind, child, port);
  await until("bare socket.io in convoy", child, () => listening(barePort));
  // Stopping Convoy stops it.
  const hosted = { ...target("bare-in-convoy", child, barePort), stop: async () => {} };
  return { ...target(kind, child, port), hosted };
}

/** A private redis-server on a free port, nothing persisted. */
async function startRedis(): Promise<{ port: number; usage(): Usage; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--maxclients",
      "1000",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  await until("redis-server", child, () => listening(port));
  return { port, usage: () => usageOf(child.pid!), stop: stopper(child) };
}

/** `start`ed on a private Redis, whose CPU and memory count too: it is part of the setup. */
async function onPrivateRedis(start: (redisUrl: string) => Promise<Target>): Promise<Target> {
  const redis = await startRedis();
  try {
    const server = await start(`redis://127.0.0.1:${redis.port}`);
    return {
      ...server,
      redisUsage: () => redis.usage(),
      usage: () => {
        const [a, b] = [server.usage(), redis.usage()];
        return {
          cpuMs: a.cpuMs + b.cpuMs,
          kernelCpuMs: a.kernelCpuMs + b.kernelCpuMs,
          rssKb: a.rssKb + b.rssKb,
        };
      },
      stop: async () => {
        await server.stop();
        await redis.stop();
      },
    };
  } catch (err) {
    await redis.stop();
    throw err;
  }
}

/** Convoy scaled out on this host: WORKERS sticky cluster workers sharing a private Redis. */
export function startConvoyCluster(
  workers: number,
  nodeArgs: string[] = [],
  kind: TargetKind = "convoy-cluster",
): Promise<Target> {
  return onPrivateRedis((url) => startConvoy({ REDIS_URL: url, WORKERS: String(workers) }, kind, nodeArgs));
}

/**
 * Bare Socket.IO: `namespaces` 3 like Convoy, or 1 (/chat only) for the
 * idle-memory baseline; `workers` above 1 runs it as a Node cluster (Node's
 * round-robin; the clients use WebSocket only, so no stickiness is needed).
 */
export async function startBare(
  script: string,
  kind: "bare" | "bare-twin" | "bare-1ns" | "bare-hold" | "bare-cluster",
  options: { namespaces?: 1 | 3; workers?: number; nodeArgs?: string[]; redisUrl?: string } = {},
): Promise<Target> {
  const { namespaces = 3, workers = 1, nodeArgs = [], redisUrl } = options;
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: {
      ...process.env,
      PORT: String(port),
      BARE_NAMESPACES: String(namespaces),
      BARE_WORKERS: String(workers),
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      BENCH_TARGET: kind,
    },
    // It says "ready" once every worker listens: a first worker alone would take all the clients.
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  let ready = false;
  child.once("message", () => (ready = true));
  await until("bare socket.io", child, async () => ready);
  child.disconnect();
  return target(kind, child, port);
}

/** Bare Socket.IO scaled out like Convoy: `workers` with the Redis adapter on a private Redis. */
export function startBareCluster(script: string, workers: number, nodeArgs: string[] = []): Promise<Target> {
  return onPrivateRedis((redisUrl) => startBare(script, "bare-cluster", { workers, nodeArgs, redisUrl }));
}
