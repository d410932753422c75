// Runs the real entry point (server/src/main.ts) as a child process.
import { CROWD_LIMITS_ENV } from "./app.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter, once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { waitForEvent } from "./wait.ts";

const main = fileURLToPath(new URL("../../server/src/main.ts", import.meta.url));

export interface NodeProcess {
  child: ChildProcess;
  url: string;
  /** Every stdout line so far (JSON log lines). */
  logs: string[];
  /** Resolves with every JSON log entry whose `msg` is `msg`, once there are `count` of them (bounded). */
  logged(msg: string, count: number, ms?: number): Promise<Array<Record<string, unknown>>>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A fresh private folder for a node's DATA_DIR; the caller removes it. */
export const makeDataDir = (): string => mkdtempSync(join(tmpdir(), "convoy-data-"));

/**
 * Starts a node and resolves once it logged the URL it listens on (bounded: 20 s).
 * Without DATA_DIR in `env` it gets a fresh one, removed when it exits.
 */
export async function startNodeProcess(env: Record<string, string> = {}): Promise<NodeProcess> {
  const ownDataDir = env.DATA_DIR === undefined ? makeDataDir() : null;
  const child = spawn(process.execPath, ["--import", "tsx", main], {
    env: {
      ...process.env,
      PORT: "0",
      LOG_LEVEL: "info",
      ...CROWD_LIMITS_ENV,
      ...(ownDataDir ? { DATA_DIR: ownDataDir } : {}),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (ownDataDir) child.once("exit", () => rmSync(ownDataDir, { recursive: true, force: true }));
  const logs: string[] = [];
  const lines = new EventEmitter();
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no URL logged within 20 s: ${stderr}`));
    }, 20_000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      logs.push(line);
      lines.emit("line");
      const { url } = JSON.parse(line) as { url?: string };
      if (url) {
        clearTimeout(timer);
        resolve(url.replace(/\/$/, ""));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited early with ${code}: ${stderr}`));
    });
  });
  const entriesNamed = (msg: string) =>
    logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === msg);
  return {
    child,
    url,
    logs,
    async logged(msg, count, ms = 20_000) {
      if (entriesNamed(msg).length < count) {
        await waitForEvent(lines, "line", { where: () => entriesNamed(msg).length >= count, ms }).catch(
          () => {
            throw new Error(`fewer than ${count} "${msg}" log lines within ${ms} ms`);
          },
        );
      }
      return entriesNamed(msg);
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the entry point with `args` (a command, or none to serve) to its exit, bounded by `ms`. */
export async function runMain(args: string[], env: Record<string, string>, ms = 20_000): Promise<Finished> {
  const child = spawn(process.execPath, ["--import", "tsx", main, ...args], {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}
