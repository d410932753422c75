// Watches the process the node under test runs in for what no input may cause:
// an uncaught exception, an unhandled rejection, an error in the server's log,
// or one Socket.IO prints (it reports errors thrown in listeners with console.error).
import { format } from "node:util";
import { pino, type Logger } from "pino";

export interface Trouble {
  /** Give it to createApp: it records error (and fatal) lines. */
  logger: Logger;
  /** What went wrong since the last call; clears the list. */
  take(): string[];
  stop(): void;
}

export function watchTrouble(): Trouble {
  let problems: string[] = [];
  const note = (kind: string) => (what: unknown) => void problems.push(`${kind}: ${format(what)}`);
  const onException = note("uncaught exception");
  const onRejection = note("unhandled rejection");
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  const consoleError = console.error;
  console.error = (...args: unknown[]) => {
    problems.push(`console.error: ${format(...args)}`);
    consoleError(...args);
  };
  // Warnings are left out: refusing a client may well be one.
  const logger = pino({ level: "error" }, { write: (line: string) => void problems.push(`logged: ${line}`) });
  return {
    logger,
    take() {
      const seen = problems;
      problems = [];
      return seen;
    },
    stop() {
      process.off("uncaughtException", onException);
      process.off("unhandledRejection", onRejection);
      console.error = consoleError;
    },
  };
}
