// "Now" for "2 min ago" labels and stale markers: one signal, ticking every few seconds.
import { signal, type ReadonlySignal } from "@preact/signals";
import type { Feature } from "../features/feature.ts";
import type { Clock } from "../net/clock.ts";
import { createTimers } from "../net/timers.ts";

const TICK_MS = 5000;

export interface Ticker extends Feature {
  now: ReadonlySignal<number>;
}

export function createTicker(clock: Clock): Ticker {
  const timers = createTimers(clock);
  const now = signal(clock.now());
  return {
    now,
    start() {
      timers.start();
      now.value = clock.now();
      timers.every(TICK_MS, () => (now.value = clock.now()));
    },
    stop: () => timers.stop(),
  };
}
