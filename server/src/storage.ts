// Picks the state backend from config: Redis when REDIS_URL (or a Redis Cluster's
// REDIS_CLUSTER_NODES) is set, shared by every node; else the embedded SQLite
// database in DATA_DIR. Also settles the token signing key, which embedded mode
// keeps in its database.
import type { Config } from "./config.ts";
import { StartupError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import { connectRedis, positionNotices, type RedisConnections } from "./redis.ts";
import { createEmbeddedStores } from "./stores/embedded.ts";
import { createRedisStores } from "./stores/redis/index.ts";
import { openDatabase, openDataDir } from "./stores/sqlite/database.ts";
import { storedSigningKey } from "./stores/sqlite/settings.ts";
import type { Stores } from "./stores/types.ts";

export interface Storage {
  stores: Stores;
  /** Clustered mode's connections (adapter and stores); null in embedded mode. */
  redis: RedisConnections | null;
  signingKey: string;
  close(): Promise<void>;
}

export async function openStorage(
  config: Config,
  options: { redisPrefix: string; nodeId: string; messagesPerGroup: number; logger: Logger },
): Promise<Storage> {
  const target = config.redisUrl
    ? { url: config.redisUrl }
    : config.redisClusterNodes
      ? { clusterNodes: config.redisClusterNodes, waitReplicas: config.redisClusterWaitReplicas }
      : null;
  if (target) {
    if (!config.jwtSecret) throw new StartupError("JWT_SECRET: required when Redis is configured");
    const redis = await connectRedis(target, options.logger);
    const stores = createRedisStores(redis.store, {
      prefix: options.redisPrefix,
      nodeId: options.nodeId,
      messagesPerGroup: options.messagesPerGroup,
      cluster: "clusterNodes" in target,
      replication: redis.replication,
      positionWindowMs: config.redisPositionWindowMs,
      positionNotices: positionNotices(redis, `${options.redisPrefix}position-notices`),
      onLocationError: (err, what) => options.logger.warn({ err }, `${what} failed`),
    });
    await stores.ready;
    const close = async () => {
      await stores.close();
      await redis.close();
    };
    return { stores, redis, signingKey: config.jwtSecret, close };
  }
  const db = config.dataDir === null ? openDatabase(":memory:") : openDataDir(config.dataDir);
  let signingKey: string;
  try {
    signingKey = config.jwtSecret ?? storedSigningKey(db);
  } catch (err) {
    db.close();
    throw new StartupError(
      `cannot keep the signing key in the database: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const stores = createEmbeddedStores(db, { messagesPerGroup: options.messagesPerGroup });
  return { stores, redis: null, signingKey, close: () => stores.close() };
}
