import { pino, type Logger } from "pino";

export type { Logger };

/** JSON logs on stdout. Tokens and passwords never reach a log call; the redact list is a second guard. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: ["token", "password", "*.token", "*.password", "req.headers.authorization"],
  });
}
