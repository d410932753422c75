// Per-socket and per-user event budgets, in this process's memory (limiter's
// TokenBucket): `burst` at once, then `perSecond`. Limits that must hold
// across nodes are guards/rate-limiters.ts (rate-limiter-flexible).
import { TokenBucket as LimiterBucket } from "limiter";

/**
 * A subclass, not a wrapper: a node holds a bucket per socket and per user
 * (thousands in a ride), and methods on the prototype cost no closures per
 * bucket (limiter's own request queue object remains). Callers use
 * `tryTake` and `waitMs` only.
 */
export class TokenBucket extends LimiterBucket {
  constructor(perSecond: number, burst: number) {
    super({ bucketSize: burst, tokensPerInterval: perSecond, interval: "second" });
    // limiter's buckets start empty; a new connection starts with its full burst.
    this.content = burst;
  }

  tryTake(): boolean {
    return this.tryRemoveTokens(1);
  }

  /** ms until a token is available. */
  waitMs(): number {
    return this.getWaitTime(1);
  }
}
