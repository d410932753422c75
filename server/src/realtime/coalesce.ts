// Inbound rate limit that keeps the newest value instead of refusing: per key,
// at most `perSecond` values pass; in between only the latest one waits.
// A class: each rider's socket has one, and its methods cost no closures.
import { TokenBucket } from "./token-bucket.ts";

interface Slot<T> {
  owner: Coalescer<T>;
  limiter: TokenBucket;
  waiting: { value: T } | null;
  timer: NodeJS.Timeout | null;
}

function release<T>(slot: Slot<T>): void {
  slot.timer = null;
  if (!slot.waiting) return;
  if (!slot.limiter.tryTake()) {
    slot.timer = setTimeout(release, slot.limiter.waitMs(), slot);
    return;
  }
  const { value } = slot.waiting;
  slot.waiting = null;
  slot.owner.apply(value);
}

export class Coalescer<T> {
  private readonly slots = new Map<string, Slot<T>>();
  private readonly perSecond: number;
  readonly apply: (value: T) => void;

  constructor(perSecond: number, apply: (value: T) => void) {
    this.perSecond = perSecond;
    this.apply = apply;
  }

  /** "passed": applied now; "coalesced": waiting, and replaces any older waiting value. */
  push(key: string, value: T): "passed" | "coalesced" {
    let slot = this.slots.get(key);
    if (!slot) {
      const limiter = new TokenBucket(this.perSecond, this.perSecond);
      this.slots.set(key, (slot = { owner: this, limiter, waiting: null, timer: null }));
    }
    if (!slot.waiting && slot.limiter.tryTake()) {
      this.apply(value);
      return "passed";
    }
    slot.waiting = { value };
    slot.timer ??= setTimeout(release, Math.max(1, slot.limiter.waitMs()), slot);
    return "coalesced";
  }

  /** Applies what is still waiting, at once (the socket is going away). */
  flush(): void {
    for (const slot of this.slots.values()) {
      if (slot.timer) clearTimeout(slot.timer);
      if (slot.waiting) this.apply(slot.waiting.value);
    }
    this.slots.clear();
  }
}
