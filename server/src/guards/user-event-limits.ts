// Client events per user on this node: one token bucket per user, shared by
// their sockets, made on their first socket and dropped with their last. It is
// synchronous and allocates nothing per event: it runs before every event, the
// hot path of a ride (a promise-based limiter cost ~10% of a delivery's CPU).
import { createTokenBucket, type TokenBucket } from "../realtime/token-bucket.ts";

export interface UserEventLimits {
  /** The user's bucket for one socket; release() when that socket closes. */
  hold(userId: string): { bucket: TokenBucket; release(): void };
}

export function createUserEventLimits(perSecond: number): UserEventLimits {
  const held = new Map<string, { bucket: TokenBucket; sockets: number }>();
  return {
    hold(userId) {
      let entry = held.get(userId);
      if (!entry)
        held.set(userId, (entry = { bucket: createTokenBucket(perSecond, 2 * perSecond), sockets: 0 }));
      entry.sockets++;
      const kept = entry;
      let released = false;
      return {
        bucket: kept.bucket,
        release() {
          if (released) return;
          released = true;
          if (--kept.sockets === 0 && held.get(userId) === kept) held.delete(userId);
        },
      };
    },
  };
}
