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
};
