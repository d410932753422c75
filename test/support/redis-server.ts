// A private redis-server on a free port, for the suites that need Redis.
// Nothing is persisted; stop() kills it, restart() brings it back on the same port.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "redis";

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

export interface TestRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: like a crash). */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty, unless persisted). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `persist`: an append-only file synced on every write, so a killed server comes back with every acknowledged write.
 * `args`: more redis-server options (e.g. to break a command on purpose).
 */
export async function startRedis(options: { persist?: boolean; args?: string[] } = {}): Promise<TestRedis> {
  const port = await freePort();
  const persistence = options.persist
    ? [
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--dir",
        mkdtempSync(join(tmpdir(), "convoy-redis-")),
      ]
    : ["--appendonly", "no"];
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  async function start() {
    const args = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      ...persistence,
      ...(options.args ?? []),
    ];
    child = spawn("redis-server", args, { stdio: "ignore" });
    // Ready when it answers PING (bounded: 50 tries, 100 ms apart).
    for (let attempt = 0; attempt < 50; attempt++) {
      const probe = createClient({ url, socket: { reconnectStrategy: false } });
      probe.on("error", () => {});
      try {
        await probe.connect();
        await probe.ping();
        await probe.close();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`redis-server did not start on port ${port}`);
  }

  async function kill() {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  }

  await start();
  return { url, port, kill, start, stop: kill };
}
