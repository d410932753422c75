// The servers under test, each its own process so that its CPU and memory
// can be read from /proc: Convoy as shipped (server/dist/main.js), Convoy
// clustered over Redis, and the bare Socket.IO baseline.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { usageOf, type Usage } from "../lib/proc.ts";

export type TargetKind = "convoy" | "bare" | "bare-1ns" | "convoy-cluster";

export interface Target {
  kind: TargetKind;
  url: string;
  /** Convoy's login and groups exist; the bare server has neither. */
  convoy: boolean;
  usage(): Usage;
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

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${STARTUP_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

function stopper(child: ChildProcess, cleanup = () => {}) {
  return () =>
    new Promise<void>((resolve) => {
      const done = () => (cleanup(), resolve());
      if (child.exitCode !== null) return done();
      const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.once("exit", () => (clearTimeout(kill), done()));
      child.kill("SIGTERM");
    });
}

function target(kind: TargetKind, child: ChildProcess, port: number, cleanup?: () => void): Target {
  return {
    kind,
    url: `http://127.0.0.1:${port}`,
    convoy: kind.startsWith("convoy"),
    usage: () => usageOf(child.pid!),
    stop: stopper(child, cleanup),
  };
}

/** Convoy in its default mode: one process, state in memory. */
export async function startConvoy(
  env: Record<string, string> = {},
  kind: TargetKind = "convoy",
): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, [serverMain], {
    env: {
      ...process.env,
      PORT: String(port),
      LOG_LEVEL: "warn",
      JWT_SECRET: randomBytes(32).toString("hex"),
      // The bench registers thousands of users; login cost is not what it measures.
      PASSWORD_COST: "1024",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await until("convoy", async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);
  return target(kind, child, port);
}

/** Convoy with WORKERS=2 behind one port, sharing state through a private Redis. */
export async function startConvoyCluster(workers = 2): Promise<Target> {
  const redisPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "convoy-bench-redis-"));
  const redis = spawn(
    "redis-server",
    ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    {
      stdio: "ignore",
    },
  );
  await until("redis-server", () => listening(redisPort));
  const convoy = await startConvoy(
    { WORKERS: String(workers), REDIS_URL: `redis://127.0.0.1:${redisPort}` },
    "convoy-cluster",
  );
  return {
    ...convoy,
    // Redis works for the cluster: its CPU and memory count as the server's.
    usage() {
      const app = convoy.usage();
      const store = usageOf(redis.pid!);
      return { cpuMs: app.cpuMs + store.cpuMs, rssKb: app.rssKb + store.rssKb };
    },
    async stop() {
      await convoy.stop();
      await stopper(redis, () => rmSync(dir, { recursive: true, force: true }))();
    },
  };
}

/** Bare Socket.IO: `namespaces` 3 like Convoy, or 1 (/chat only) for the idle-memory baseline. */
export async function startBare(script: string, namespaces: 1 | 3 = 3): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, PORT: String(port), BARE_NAMESPACES: String(namespaces) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await until("bare socket.io", () => listening(port));
  return target(namespaces === 1 ? "bare-1ns" : "bare", child, port);
}
