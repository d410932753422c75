// A clock the test moves by hand: timers fire in due order as time advances,
// and the promises they start settle before the next one fires.
import type { Clock, TimerId } from "../net/clock.ts";
import { settle } from "./settle.ts";

interface Timer {
  at: number;
  fn: () => void;
  every?: number;
}

export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<TimerId, Timer>();

  constructor(start = Date.UTC(2025, 5, 1, 8)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(ms, 0), fn });
    return id;
  }

  clearTimeout(id: TimerId): void {
    this.timers.delete(id);
  }

  setInterval(fn: () => void, ms: number): TimerId {
    const id = this.nextId++;
    const every = Math.max(ms, 1);
    this.timers.set(id, { at: this.time + every, fn, every });
    return id;
  }

  clearInterval(id: TimerId): void {
    this.timers.delete(id);
  }

  /** Timers set and not yet fired or cleared (intervals count until cleared). */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing what falls due on the way, in order. */
  async advance(ms: number): Promise<void> {
    await settle(); // timers that replies already under way will set
    const end = this.time + ms;
    for (;;) {
      const due = this.nextDue(end);
      if (!due) break;
      const [id, timer] = due;
      this.time = timer.at;
      if (timer.every === undefined) this.timers.delete(id);
      else timer.at += timer.every;
      timer.fn();
      await settle();
    }
    this.time = end;
    await settle();
  }

  private nextDue(end: number): [TimerId, Timer] | undefined {
    let next: [TimerId, Timer] | undefined;
    for (const entry of this.timers)
      if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
    return next;
  }
}
