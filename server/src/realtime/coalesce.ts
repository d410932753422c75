// Inbound rate limit that keeps the newest value instead of refusing: per key,
// at most `perSecond` values pass; in between only the latest one waits.
import { createTokenBucket, type TokenBucket } from "./token-bucket.ts";

interface Slot<T> {
  limiter: TokenBucket;
  waiting: { value: T } | null;
  timer: NodeJS.Timeout | null;
}

export function createCoalescer<T>(perSecond: number, apply: (value: T) => void) {
  const slots = new Map<string, Slot<T>>();

  const release = (slot: Slot<T>) => {
    slot.timer = null;
    if (!slot.waiting) return;
    if (!slot.limiter.tryTake()) {
      slot.timer = setTimeout(release, slot.limiter.waitMs(), slot);
      return;
    }
    const { value } = slot.waiting;
    slot.waiting = null;
    apply(value);
  };

  return {
    /** "passed": applied now; "coalesced": waiting, and replaces any older waiting value. */
    push(key: string, value: T): "passed" | "coalesced" {
      let slot = slots.get(key);
      if (!slot)
        slots.set(
          key,
          (slot = { limiter: createTokenBucket(perSecond, perSecond), waiting: null, timer: null }),
        );
      if (!slot.waiting && slot.limiter.tryTake()) {
        apply(value);
        return "passed";
      }
      slot.waiting = { value };
      slot.timer ??= setTimeout(release, Math.max(1, slot.limiter.waitMs()), slot);
      return "coalesced";
    },

    /** Applies what is still waiting, at once (the socket is going away). */
    flush(): void {
      for (const slot of slots.values()) {
        if (slot.timer) clearTimeout(slot.timer);
        if (slot.waiting) apply(slot.waiting.value);
      }
      slots.clear();
    },
  };
}
