// What is refused before any store, crypto or Redis work (SPEC §6): rate limits
// per client address and per user. Made once per node by createApp.
import type { Limits } from "../limits.ts";
import type { RedisClient } from "../stores/redis/client.ts";
import { createLoginGuard, type LoginGuard } from "./login-guard.ts";
import { createLimiterFactory, type RateLimiter } from "./rate-limiters.ts";
import { createUserEventLimits, type UserEventLimits } from "./user-event-limits.ts";

export interface Guards {
  logins: LoginGuard;
  /** Registrations per client address. */
  registrations: RateLimiter;
  /** New connections and namespace connects per client address. */
  handshakes: RateLimiter;
  /** Client events per user, over all their sockets on this node. */
  userEvents: UserEventLimits;
}

export function createGuards(limits: Limits, redis: RedisClient | null, prefix: string): Guards {
  const shared = createLimiterFactory(redis, prefix);
  return {
    logins: createLoginGuard(shared, limits),
    registrations: shared("register", {
      points: limits.registrationsPerAddressPerHour,
      durationSeconds: 3600,
    }),
    handshakes: shared("handshake", { points: limits.handshakesPerAddressPerMinute, durationSeconds: 60 }),
    // A Redis round trip per event would cost more than the event: per node, in memory.
    userEvents: createUserEventLimits(limits.eventsPerUserPerSecond),
  };
}
