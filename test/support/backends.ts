// The state backends a suite runs against: embedded (SQLite, no Redis), one
// Redis, a Redis Cluster. startBackend starts a private one and says how a node
// points at it.
import type { Config } from "@convoy/server";
import { startRedisCluster } from "./redis-cluster.ts";
import { startRedis } from "./redis-server.ts";

export const BACKENDS = ["embedded", "redis", "redis cluster"] as const;
export type Backend = (typeof BACKENDS)[number];

export interface SharedState {
  /** What a node's config needs to use it. */
  config: Partial<Config>;
  stop(): Promise<void>;
}

/** null for embedded: each node keeps its own state. */
export async function startBackend(backend: Backend): Promise<SharedState | null> {
  switch (backend) {
    case "embedded":
      return null;
    case "redis": {
      const redis = await startRedis();
      return { config: { redisUrl: redis.url }, stop: () => redis.stop() };
    }
    case "redis cluster": {
      const cluster = await startRedisCluster();
      return { config: { redisClusterNodes: cluster.nodes }, stop: () => cluster.stop() };
    }
  }
}
