// Numbers both sides enforce. The server reads them as defaults (tests may
// tighten or loosen a copy); the browser uses them to validate before sending.

export const LIMITS = {
  /** Characters, after trimming. */
  messageText: 2000,
  clientMsgId: 64,
  groupName: 64,
  usernameMin: 3,
  usernameMax: 32,
  passwordMin: 8,
  passwordMax: 128,
  /** Length of ids the server accepts from clients (group ids, message ids). */
  idMax: 64,
  /** A Socket.IO packet (or HTTP body) larger than this closes the connection. */
  packetBytes: 16 * 1024,
  /** Messages returned by `room:join`. */
  joinHistory: 50,
  /** Default and maximum page for `messages:since` and the history route. */
  pageMax: 100,
  /** Chat messages per socket: sustained rate and burst (token bucket). */
  chatPerSecond: 10,
  chatBurst: 20,
  /** Location updates per socket and group; above this they are coalesced, newest kept. */
  locationPerSecond: 5,
  /** A client this far behind on its socket is disconnected. */
  slowClientBytes: 1024 * 1024,
  /** A sharing rider without an update for this long is dropped from the map. */
  riderStaleMs: 10 * 60_000,
  /** Users of a node that died without a goodbye go offline within this. */
  deadNodeMs: 30_000,
  /** Rides (issue #14). A ride's name, in characters. */
  rideName: 64,
  /** Gap alert threshold along the road, m: default, and the bounds a ride may choose. */
  rideGapM: 2000,
  rideGapMinM: 200,
  rideGapMaxM: 50_000,
  /** Stopped alert: default and bounds, ms. */
  rideStoppedMs: 5 * 60_000,
  rideStoppedMinMs: 60_000,
  rideStoppedMaxMs: 60 * 60_000,
  /** A ride with no position from any rider for this long ends by itself. */
  rideIdleMs: 30 * 60_000,
  /** Points kept per rider's trail; past it the oldest half thins. */
  trailPoints: 2000,
  /** Ended rides kept per group (summaries and trails); older ones are forgotten. */
  ridesKept: 50,
  /** SOS (issue #14): a note's length in characters, after trimming. */
  sosNote: 280,
  /** An SOS nobody acknowledged is alerted again this long after the last alert… */
  sosResendMs: 60_000,
  /** …until it has been alerted this many times in all (the first included). */
  sosSendsMax: 10,
  /** Resolved SOSes kept per group (history); older ones are forgotten. */
  sosKept: 50,
  /** Access token lifetime. */
  tokenTtlMs: 15 * 60_000,
  /** Engine.IO heartbeat; their sum bounds how long a half-open connection lingers (< 45 s). */
  pingIntervalMs: 20_000,
  pingTimeoutMs: 20_000,
} as const;
