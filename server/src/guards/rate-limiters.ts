// Named rate limiters from rate-limiter-flexible: in this process's memory in
// embedded mode, in Redis when REDIS_URL is set so that a limit holds across
// every node. A spent limit throws RATE_LIMITED with the wait until it refills.
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import { AppError } from "../errors.ts";
import type { RedisClient } from "../stores/redis/client.ts";

export interface Rule {
  points: number;
  durationSeconds: number;
  /** Once spent, refused for this long (default: until the window ends). */
  blockSeconds?: number;
}

export interface RateLimiter {
  /** Counts one attempt; throws RATE_LIMITED when the limit is spent. */
  consume(key: string, message: string): Promise<void>;
  /** Throws RATE_LIMITED when the limit is spent, without counting. */
  check(key: string, message: string): Promise<void>;
  isSpent(key: string): Promise<boolean>;
  /** Counts one without refusing (a failure that already happened). */
  penalize(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

export type LimiterFactory = (name: string, rule: Rule) => RateLimiter;

export function createLimiterFactory(redis: RedisClient | null, prefix: string): LimiterFactory {
  return (name, { points, durationSeconds, blockSeconds = 0 }) => {
    const options = {
      keyPrefix: `${prefix}limit:${name}`,
      points,
      duration: durationSeconds,
      blockDuration: blockSeconds,
    };
    const limiter: RateLimiterAbstract = redis
      ? new RateLimiterRedis({ ...options, storeClient: redis, useRedisPackage: true })
      : new RateLimiterMemory(options);
    const refuse = (res: RateLimiterRes, message: string) =>
      new AppError("RATE_LIMITED", message, Math.max(1, res.msBeforeNext));
    return {
      async consume(key, message) {
        try {
          await limiter.consume(key);
        } catch (err) {
          // A RateLimiterRes is a spent limit; anything else (Redis down) is a real error.
          throw err instanceof RateLimiterRes ? refuse(err, message) : err;
        }
      },
      async check(key, message) {
        const res = await limiter.get(key);
        if (res && res.consumedPoints >= points) throw refuse(res, message);
      },
      async isSpent(key) {
        return ((await limiter.get(key))?.consumedPoints ?? 0) >= points;
      },
      async penalize(key) {
        await limiter.penalty(key, 1);
        if (blockSeconds > 0 && ((await limiter.get(key))?.consumedPoints ?? 0) >= points) {
          await limiter.block(key, blockSeconds);
        }
      },
      async reset(key) {
        await limiter.delete(key);
      },
    };
  };
}
