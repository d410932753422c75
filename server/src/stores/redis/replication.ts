// Which acknowledged writes must reach a replica before they are answered. On a
// Redis Cluster a master's replicas copy its writes asynchronously: a master
// that dies takes with it what it did not pass on yet, and its replica takes
// over without it. The stores confirm the writes SPEC §5 promises to keep
// (accounts, sessions, groups, memberships, messages; SOS raises too) with
// WAIT before they answer; everything else may be lost in a failover (docs/scaling.md).

export interface Replication {
  /**
   * Resolves once every write this node made so far to the masters of these
   * keys has reached enough replicas; throws when that did not happen in time
   * (the write stands on the master, and a retry finds it).
   */
  confirm(...keys: string[]): Promise<void>;
}

/** A single Redis: durable as its own persistence (AOF) makes it, nothing to wait for. */
export const noReplication: Replication = { async confirm() {} };
