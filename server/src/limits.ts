// The server's limits: the contract's numbers plus server-side tunables. Tests
// pass overrides to createApp; production uses the defaults.
import { availableParallelism } from "node:os";
import { LIMITS } from "@convoy/shared";

export type Limits = { -readonly [K in keyof typeof LIMITS]: number } & {
  /** Chat messages kept per group; older ones are evicted. */
  messagesPerGroup: number;
  /** Typing notices per socket per second; extra ones are dropped silently. */
  typingPerSecond: number;
  /** How often stale riders are looked for. */
  staleSweepMs: number;
  /** How often rides under way are checked: planned end, idle, gap alerts. */
  rideCheckMs: number;
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
  /** How often SOSes due for a re-send or for the webhook are looked for. */
  sosSweepMs: number;
  /** SOS webhook: attempts in all, the wait before the first retry (doubling after each), and each attempt's time limit. */
  sosWebhookAttempts: number;
  sosWebhookBackoffMs: number;
  sosWebhookTimeoutMs: number;
} & RateLimits &
  Quotas;

/** Attempts per client address or user and window, refused with RATE_LIMITED (SPEC §6). */
export interface RateLimits {
  /** Every login attempt, per client address, per minute. */
  loginsPerAddressPerMinute: number;
  /** Failed logins for one username from one address: then that pair waits 15 minutes (a success resets it). */
  loginFailuresPerUserAndAddress: number;
  /** Failed logins per address per day, whatever the usernames. */
  loginFailuresPerAddressPerDay: number;
  /** Failed logins per username per hour from all addresses; an address that logged in as that user before is spared. */
  loginFailuresPerUserPerHour: number;
  registrationsPerAddressPerHour: number;
  /** New Engine.IO connections and namespace connects (each checks a token) per address per minute. */
  handshakesPerAddressPerMinute: number;
  /** Client events of any kind, per socket and per user (all their sockets on a node), per second; bursts of twice that. */
  eventsPerSocketPerSecond: number;
  eventsPerUserPerSecond: number;
}

/** How much one user or address may hold, refused with QUOTA_EXCEEDED (SPEC §6). */
export interface Quotas {
  groupsOwnedPerUser: number;
  membersPerGroup: number;
  /** Open sockets per user on a node (a browser tab holds three). */
  socketsPerUser: number;
  /** Open Engine.IO connections per client address on a node. */
  connectionsPerAddress: number;
  /** Engine.IO connections per address with no authenticated socket yet, and how long one may stay so. */
  unauthenticatedPerAddress: number;
  unauthenticatedMs: number;
  /** Such connections on the node from all addresses: more are refused SERVER_BUSY, and clients retry. */
  unauthenticatedPerNode: number;
  /** Node's HTTP server: the time a client has to send its headers, and its whole request. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  ...LIMITS,
  messagesPerGroup: 10_000,
  typingPerSecond: 5,
  staleSweepMs: 15_000,
  rideCheckMs: 5000,
  slowClientCheckMs: 500,
  // A dead node is noticed within dead-after + one beat: 20 s, inside the contract's 30 s.
  nodeHeartbeatMs: 5_000,
  nodeDeadAfterMs: 15_000,
  sessionMaxAgeMs: 30 * 24 * 3_600_000,
  tokenCheckMs: 5_000,
  // Clients renew a minute ahead by themselves; the warning is for those that did not.
  tokenWarnAheadMs: 30_000,
  // Half the cores (at least one): under a login flood the other half keeps serving
  // handshakes and events. libuv's 4 threads are never all taken by hashing.
  hashesRunning: Math.min(2, Math.max(1, Math.floor(availableParallelism() / 2))),
  hashesWaiting: 16,
  sosSweepMs: 2_000,
  // Retries after 1, 2, 4 and 8 s: the receiver has about 35 s to come back.
  sosWebhookAttempts: 5,
  sosWebhookBackoffMs: 1_000,
  sosWebhookTimeoutMs: 5_000,
  loginsPerAddressPerMinute: 30,
  loginFailuresPerUserAndAddress: 10,
  loginFailuresPerAddressPerDay: 100,
  loginFailuresPerUserPerHour: 50,
  registrationsPerAddressPerHour: 20,
  handshakesPerAddressPerMinute: 120,
  eventsPerSocketPerSecond: 50,
  eventsPerUserPerSecond: 100,
  groupsOwnedPerUser: 50,
  membersPerGroup: 500,
  socketsPerUser: 30,
  // Riders behind one carrier NAT share an address.
  connectionsPerAddress: 200,
  unauthenticatedPerAddress: 20,
  unauthenticatedMs: 10_000,
  // A node handshakes 50–400 clients a second (docs/benchmarks.md): 500 waiting is
  // seconds of work, so a reconnect storm waits in its clients' backoff, not here.
  unauthenticatedPerNode: 500,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
};
