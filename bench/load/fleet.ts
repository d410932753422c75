// The orchestrator's side of the load processes: spawn them, split the
// clients between them, and send each command to all at once.
import { fork, type ChildProcess } from "node:child_process";
import type { ClientSpec, Command, Reply } from "./protocol.ts";

/** Clients per load process: well under the 20,000 open files a process may hold. */
export const CLIENTS_PER_PROCESS = 12_000;
/** A command's bound: a 100,000-client hold connects ~11,000 clients a load process, 10+ minutes on a slow day. */
const REPLY_MS = 30 * 60_000;

export interface Fleet {
  size: number;
  /** Sends one command to every process (or a command per process) and awaits every reply. */
  all<R extends Reply>(command: Command | ((index: number) => Command)): Promise<R[]>;
  /** Sends a command to one process and awaits its reply. */
  one<R extends Reply>(index: number, command: Command): Promise<R>;
  close(): Promise<void>;
}

function ask(child: ChildProcess, command: Command): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`load process: no reply to ${command.cmd}`)), REPLY_MS);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`load process exited (${code}) during ${command.cmd}`));
    };
    child.once("exit", onExit);
    child.once("message", (reply: Reply | { cmd: "error"; message: string }) => {
      clearTimeout(timer);
      child.off("exit", onExit);
      if (reply.cmd === "error") reject(new Error(`load process: ${reply.message}`));
      else resolve(reply);
    });
    child.send(command);
  });
}

export function startFleet(script: string, clients: number, minimum = 2): Fleet {
  const size = Math.max(minimum, Math.ceil(clients / CLIENTS_PER_PROCESS));
  const children = Array.from({ length: size }, () =>
    fork(script, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" }),
  );
  return {
    size,
    async all<R extends Reply>(command: Command | ((index: number) => Command)) {
      return (await Promise.all(
        children.map((child, i) => ask(child, typeof command === "function" ? command(i) : command)),
      )) as R[];
    },
    async one<R extends Reply>(index: number, command: Command) {
      return (await ask(children[index]!, command)) as R;
    },
    async close() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once("exit", () => resolve());
              child.kill("SIGTERM");
            }),
        ),
      );
    },
  };
}

/** Deals clients out to the processes in turn, so every process gets a share of every group. */
export function deal<T extends ClientSpec>(specs: T[], processes: number): T[][] {
  const hands: T[][] = Array.from({ length: processes }, () => []);
  specs.forEach((spec, i) => hands[i % processes]!.push(spec));
  return hands;
}

/**
 * Source addresses per load process. A client binds its source address before
 * connecting, and the kernel then searches that address's bound ports for a
 * free one: past about 6,000 ports on one address a connect cost 1.2 ms of
 * kernel CPU instead of 0.04 (docs/benchmarks.md), and the load processes, not
 * the server, set the pace. 8 addresses keep a process's 12,000 clients at
 * 1,500 an address.
 */
const ADDRESSES_PER_PROCESS = 8;

/** The source addresses of load process `index`: 127.0.<index + 1>.2 to .9. */
export const sourceAddresses = (index: number) =>
  Array.from({ length: ADDRESSES_PER_PROCESS }, (_, k) => `127.0.${index + 1}.${k + 2}`);
