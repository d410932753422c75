// Clustered mode's Redis connections: one for the stores, a pair for the
// Socket.IO adapter (sharded Pub/Sub, Redis 7+), to one Redis (REDIS_URL) or
// a Redis Cluster (REDIS_CLUSTER_NODES). Commands fail fast while Redis is
// away instead of queueing, so acks still answer and local broadcasts still
// go out; the clients reconnect (and resubscribe) by themselves.
import { createClient, type RedisClientOptions } from "redis";
import type { Logger } from "./logger.ts";
import { createClusterClient, waitForReplicas, type ClusterClient } from "./redis-cluster.ts";
import type { RedisClient } from "./stores/redis/client.ts";
import type { PositionNotices } from "./stores/redis/locations.ts";
import { noReplication, type Replication } from "./stores/redis/replication.ts";

/** The Pub/Sub commands an adapter uses: one Redis's client and a cluster's both have them. */
export type PubSubConnection = Pick<
  ClusterClient,
  "sPublish" | "sSubscribe" | "sUnsubscribe" | "pubSubShardNumSub"
>;

export interface RedisConnections {
  store: RedisClient;
  /** How the stores confirm durable writes on `store`. */
  replication: Replication;
  pub: PubSubConnection;
  sub: PubSubConnection;
  close(): Promise<void>;
}

/** One Redis, or the seed nodes of a Redis Cluster and how many replicas confirm a durable write. */
export type RedisTarget = { url: string } | { clusterNodes: readonly string[]; waitReplicas: number };

/** How long a durable write waits for its replicas before it is answered INTERNAL. */
const REPLICA_WAIT_MS = 1000;

const OPTIONS = {
  disableOfflineQueue: true,
  socket: {
    reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
    connectTimeout: 5000,
  },
} satisfies Partial<RedisClientOptions>;

export async function connectRedis(target: RedisTarget, logger: Logger): Promise<RedisConnections> {
  if ("clusterNodes" in target) return connectCluster(target.clusterNodes, target.waitReplicas, logger);
  const store = createClient({ url: target.url, ...OPTIONS });
  const pub = store.duplicate();
  const sub = store.duplicate();
  for (const [role, client] of [
    ["store", store],
    ["pub", pub],
    ["sub", sub],
  ] as const) {
    // Without an error listener a lost connection would crash the process.
    let down = false;
    client.on("error", (err: Error) => {
      if (!down) logger.warn({ role, err: err.message }, "redis connection lost");
      down = true;
    });
    client.on("ready", () => {
      if (down) logger.info({ role }, "redis connection back");
      down = false;
    });
  }
  await Promise.all([store.connect(), pub.connect(), sub.connect()]);
  return {
    store,
    replication: noReplication,
    pub,
    sub,
    async close() {
      await Promise.allSettled([store.close(), pub.close(), sub.close()]);
    },
  };
}

async function connectCluster(
  nodes: readonly string[],
  waitReplicas: number,
  logger: Logger,
): Promise<RedisConnections> {
  const [store, pub, sub] = (["store", "pub", "sub"] as const).map((role) =>
    createClusterClient(nodes, OPTIONS, role, logger),
  ) as [ClusterClient, ClusterClient, ClusterClient];
  try {
    await Promise.all([store.connect(), pub.connect(), sub.connect()]);
  } catch (err) {
    for (const cluster of [store, pub, sub]) cluster.destroy();
    throw err;
  }
  const unsubscribing = trackUnsubscribes(sub);
  askTheChannelsShard(pub);
  return {
    store,
    replication:
      waitReplicas > 0 ? waitForReplicas(store, waitReplicas, REPLICA_WAIT_MS, logger) : noReplication,
    pub,
    sub,
    async close() {
      await Promise.allSettled(unsubscribing);
      await Promise.allSettled([store.close(), pub.close(), sub.close()]);
    },
  };
}

/**
 * The unsubscribes still under way. The adapter unsubscribes on close without
 * waiting; on a cluster, node-redis then drops the shard's subscriber
 * connection, which throws if the cluster was closed meanwhile. Closing waits for them.
 */
function trackUnsubscribes(sub: ClusterClient): Set<Promise<void>> {
  const pending = new Set<Promise<void>>();
  const unsubscribe = sub.sUnsubscribe.bind(sub);
  sub.sUnsubscribe = (...args) => {
    const done = unsubscribe(...args);
    pending.add(done);
    done.then(
      () => pending.delete(done),
      () => pending.delete(done),
    );
    return done;
  };
  return pending;
}

/**
 * Each shard answers PUBSUB SHARDNUMSUB for its own subscribers only (0 on any
 * other), and the client sends it to any master: ask the one that serves the channel.
 */
function askTheChannelsShard(pub: ClusterClient): void {
  pub.pubSubShardNumSub = async (channels) => {
    const list = channels === undefined ? [] : Array.isArray(channels) ? channels : [channels];
    const counts = await Promise.all(
      list.map((channel) =>
        pub.sendCommand<Array<string | number>>(channel, true, ["PUBSUB", "SHARDNUMSUB", channel.toString()]),
      ),
    );
    const total: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const reply of counts) total[String(reply[0])] = Number(reply[1]);
    return total;
  };
}

/** The nodes' word to each other about positions (stores/redis/locations.ts), on one sharded channel. */
export function positionNotices(
  { pub, sub }: Pick<RedisConnections, "pub" | "sub">,
  channel: string,
): PositionNotices {
  return {
    publish: (message) => pub.sPublish(channel, message),
    subscribe: (onMessage) => sub.sSubscribe(channel, onMessage),
  };
}
