// Client events per user on this node: one token bucket per user, shared by
// their sockets, made on their first socket and dropped with their last. It is
// synchronous and allocates nothing per event: it runs before every event, the
// hot path of a ride (a promise-based limiter cost ~10% of a delivery's CPU).
import { TokenBucket } from "../realtime/token-bucket.ts";

export interface UserEventLimits {
  /**
   * The user's bucket, held by one more socket: release() exactly once when that
   * socket closes (a release too many would drop another socket's hold, and
   * with it the user's spent budget).
   */
  hold(userId: string): TokenBucket;
  release(userId: string): void;
}

export function createUserEventLimits(perSecond: number): UserEventLimits {
  const held = new Map<string, { bucket: TokenBucket; sockets: number }>();
  return {
    hold(userId) {
      let entry = held.get(userId);
      if (!entry)
        held.set(userId, (entry = { bucket: new TokenBucket(perSecond, 2 * perSecond), sockets: 0 }));
      entry.sockets++;
      return entry.bucket;
    },
    release(userId) {
      const entry = held.get(userId);
      if (entry && --entry.sockets === 0) held.delete(userId);
    },
  };
}
