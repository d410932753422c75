// Stands in for navigator.wakeLock: records each request, answers it when the
// test says (granted or refused), and lets the test play the browser that
// drops a lock (the page was hidden).
import type { WakeLockLike, WakeLockSentinelLike } from "../features/wake-lock/screen-wake.ts";

export class FakeSentinel implements WakeLockSentinelLike {
  released = false;
  private readonly listeners = new Set<() => void>();

  release(): Promise<void> {
    this.drop();
    return Promise.resolve();
  }

  /** The browser releases it: the release event fires (once, as in browsers). */
  drop(): void {
    if (this.released) return;
    this.released = true;
    for (const listener of [...this.listeners]) listener();
  }

  addEventListener(_type: "release", listener: () => void): void {
    this.listeners.add(listener);
  }

  removeEventListener(_type: "release", listener: () => void): void {
    this.listeners.delete(listener);
  }
}

export class FakeWakeLock implements WakeLockLike {
  /** Every sentinel granted, in order. */
  readonly granted: FakeSentinel[] = [];
  requests = 0;
  /** When set, the next requests are refused with this message. */
  refuseWith: string | null = null;

  request(type: "screen"): Promise<WakeLockSentinelLike> {
    if (type !== "screen") return Promise.reject(new TypeError(`unknown type ${String(type)}`));
    this.requests += 1;
    if (this.refuseWith !== null) return Promise.reject(new Error(this.refuseWith));
    const sentinel = new FakeSentinel();
    this.granted.push(sentinel);
    return Promise.resolve(sentinel);
  }

  /** How many granted locks are still held. */
  get held(): number {
    return this.granted.filter((s) => !s.released).length;
  }
}
