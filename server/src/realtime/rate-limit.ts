// Per-socket token buckets (limiter's TokenBucket): `burst` at once, then `perSecond`.
import { TokenBucket } from "limiter";

export interface RateLimiter {
  tryTake(): boolean;
  /** ms until a token is available. */
  waitMs(): number;
}

export function createRateLimiter(perSecond: number, burst: number): RateLimiter {
  const bucket = new TokenBucket({ bucketSize: burst, tokensPerInterval: perSecond, interval: "second" });
  // limiter's buckets start empty; a new connection starts with its full burst.
  bucket.content = burst;
  return {
    tryTake: () => bucket.tryRemoveTokens(1),
    waitMs: () => bucket.getWaitTime(1),
  };
}
