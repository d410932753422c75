// A feature's timers, kept track of so that stop() can clear every one. While
// stopped, new timers are not set at all: a reply that arrives after stop()
// cannot start a retry.
import type { Clock, TimerId } from "./clock.ts";

export interface Timers {
  /** Runs `fn` once after `ms`; the id cancels it. */
  after(ms: number, fn: () => void): TimerId | undefined;
  /** Runs `fn` every `ms` until cancelled or stopped. */
  every(ms: number, fn: () => void): TimerId | undefined;
  cancel(id: TimerId | undefined): void;
  start(): void;
  /** Clears every timer and refuses new ones until start(). */
  stop(): void;
}

export function createTimers(clock: Clock): Timers {
  const once = new Set<TimerId>();
  const repeating = new Set<TimerId>();
  let running = false;
  return {
    after(ms, fn) {
      if (!running) return undefined;
      const id = clock.setTimeout(() => {
        once.delete(id);
        fn();
      }, ms);
      once.add(id);
      return id;
    },
    every(ms, fn) {
      if (!running) return undefined;
      const id = clock.setInterval(fn, ms);
      repeating.add(id);
      return id;
    },
    cancel(id) {
      if (id === undefined) return;
      if (once.delete(id)) clock.clearTimeout(id);
      if (repeating.delete(id)) clock.clearInterval(id);
    },
    start() {
      running = true;
    },
    stop() {
      running = false;
      for (const id of once) clock.clearTimeout(id);
      for (const id of repeating) clock.clearInterval(id);
      once.clear();
      repeating.clear();
    },
  };
}
