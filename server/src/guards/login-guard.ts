// Who may try a password, checked before any hashing. Every attempt counts per
// address (a flood); failures count per username and address, per address, and
// per username from everywhere. That last one spares addresses that logged in
// as the user before, so an attacker elsewhere cannot lock the owner out.
import type { LimiterFactory } from "./rate-limiters.ts";
import type { RateLimits } from "../limits.ts";

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/**
 * How long an address is remembered as one the user logged in from. Under 24.8
 * days: the memory limiter expires keys with setTimeout, which fires at once
 * for longer delays.
 */
const KNOWN_ADDRESS_SECONDS = 20 * DAY;

export interface LoginGuard {
  /** Throws RATE_LIMITED when this attempt may not even be tried. */
  admit(username: string, address: string): Promise<void>;
  failed(username: string, address: string): Promise<void>;
  succeeded(username: string, address: string): Promise<void>;
}

export function createLoginGuard(limiter: LimiterFactory, limits: RateLimits): LoginGuard {
  const attempts = limiter("login", { points: limits.loginsPerAddressPerMinute, durationSeconds: MINUTE });
  const pairFailures = limiter("login-failed-pair", {
    points: limits.loginFailuresPerUserAndAddress,
    durationSeconds: 15 * MINUTE,
    blockSeconds: 15 * MINUTE,
  });
  const addressFailures = limiter("login-failed-address", {
    points: limits.loginFailuresPerAddressPerDay,
    durationSeconds: DAY,
  });
  const userFailures = limiter("login-failed-user", {
    points: limits.loginFailuresPerUserPerHour,
    durationSeconds: HOUR,
  });
  const knownAddresses = limiter("login-known", { points: 1, durationSeconds: KNOWN_ADDRESS_SECONDS });

  // Usernames are unique without case: one key per account.
  const pair = (username: string, address: string) => `${username.toLowerCase()}|${address}`;
  const tooMany = "too many login attempts; try again later";

  return {
    async admit(username, address) {
      await attempts.consume(address, tooMany);
      // Independent reads: one round trip's wait with Redis, not four.
      const [known] = await Promise.all([
        knownAddresses.isSpent(pair(username, address)),
        pairFailures.check(pair(username, address), tooMany),
        addressFailures.check(address, tooMany),
      ]);
      // Spent by failures from elsewhere: the owner's own addresses still get in.
      if (!known) await userFailures.check(username.toLowerCase(), tooMany);
    },
    async failed(username, address) {
      await Promise.all([
        pairFailures.penalize(pair(username, address)),
        addressFailures.penalize(address),
        userFailures.penalize(username.toLowerCase()),
      ]);
    },
    async succeeded(username, address) {
      await Promise.all([
        pairFailures.reset(pair(username, address)),
        knownAddresses.penalize(pair(username, address)),
      ]);
    },
  };
}
