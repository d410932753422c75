// Per-socket and per-user event budgets, in this process's memory (limiter's
// TokenBucket): `burst` at once, then `perSecond`. Limits that must hold
// across nodes are guards/rate-limiters.ts (rate-limiter-flexible).
import { TokenBucket as LimiterBucket } from "limiter";

export interface TokenBucket {
  tryTake(): boolean;
  /** ms until a token is available. */
  waitMs(): number;
}

export function createTokenBucket(perSecond: number, burst: number): TokenBucket {
  const bucket = new LimiterBucket({ bucketSize: burst, tokensPerInterval: perSecond, interval: "second" });
  // limiter's buckets start empty; a new connection starts with its full burst.
  bucket.content = burst;
  return {
    tryTake: () => bucket.tryRemoveTokens(1),
    waitMs: () => bucket.getWaitTime(1),
  };
}
