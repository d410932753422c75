// The server's limits: the contract's numbers plus server-side tunables. Tests
// pass overrides to createApp; production uses the defaults.
import { LIMITS } from "@convoy/shared";

export type Limits = { -readonly [K in keyof typeof LIMITS]: number } & {
  /** Chat messages kept per group; older ones are evicted. */
  messagesPerGroup: number;
  /** Typing notices per socket per second; extra ones are dropped silently. */
  typingPerSecond: number;
  /** How often stale riders are looked for. */
  staleSweepMs: number;
  /** How often connections are checked for falling behind. */
  slowClientCheckMs: number;
  /** Clustered mode: how often a node beats, and after how long without a beat it counts as dead. */
  nodeHeartbeatMs: number;
  nodeDeadAfterMs: number;
  /** A login's lifetime: no token refreshed from it outlives it. */
  sessionMaxAgeMs: number;
  /** How often sockets are checked for tokens about to expire, and warned this long ahead. */
  tokenCheckMs: number;
  tokenWarnAheadMs: number;
  /** Password hashes running at once, and waiting; more are refused with RATE_LIMITED. */
  hashesRunning: number;
  hashesWaiting: number;
};

export const DEFAULT_LIMITS: Limits = {
  ...LIMITS,
  messagesPerGroup: 10_000,
  typingPerSecond: 5,
  staleSweepMs: 15_000,
  slowClientCheckMs: 500,
  // A dead node is noticed within dead-after + one beat: 20 s, inside the contract's 30 s.
  nodeHeartbeatMs: 5_000,
  nodeDeadAfterMs: 15_000,
  sessionMaxAgeMs: 30 * 24 * 3_600_000,
  tokenCheckMs: 5_000,
  // Clients renew a minute ahead by themselves; the warning is for those that did not.
  tokenWarnAheadMs: 30_000,
  // Half of libuv's 4 threads: file and DNS work keep the rest.
  hashesRunning: 2,
  hashesWaiting: 16,
};
