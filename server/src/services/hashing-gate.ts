// Bounds the password hashes running at once. scrypt runs in libuv's thread
// pool (4 threads), which file and DNS work share: a login flood must not
// queue there. A few hashes run, a few wait their turn, the rest are refused at
// once with RATE_LIMITED, before any hashing.
import { AppError } from "../errors.ts";

export interface HashingGate {
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** How long a refused caller is told to wait: about one hash's time times the queue. */
const RETRY_AFTER_MS = 1000;

export function createHashingGate(running: number, waiting: number): HashingGate {
  let active = 0;
  const queue: Array<() => void> = [];

  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active--;
  };

  return {
    async run(work) {
      if (active >= running) {
        if (queue.length >= waiting) {
          throw new AppError("RATE_LIMITED", "the server is busy; try again shortly", RETRY_AFTER_MS);
        }
        // The slot is handed over by release(): `active` stays the same.
        await new Promise<void>((resolve) => queue.push(resolve));
      } else active++;
      try {
        return await work();
      } finally {
        release();
      }
    },
  };
}
