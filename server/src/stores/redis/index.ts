import { createRedisSessionStore } from "./sessions.ts";
import type { Stores } from "../types.ts";
import type { RedisClient } from "./client.ts";
import { createRedisConversationStore } from "./conversations.ts";
import { createRedisGroupStore } from "./groups.ts";
import { bareIds, hashTags } from "./keys.ts";
import { createRedisLocationStore, type PositionNotices } from "./locations.ts";
import { createRedisMessageStore } from "./messages.ts";
import { createRedisPresenceStore } from "./presence.ts";
import { noReplication, type Replication } from "./replication.ts";
import { createRedisRideStore } from "./rides.ts";
import { createRedisSosStore } from "./sos.ts";
import { createRedisUserStore } from "./users.ts";

/**
 * Clustered mode: state in Redis, shared by every node. The caller owns the client's lifetime.
 * `cluster`: keys carry hash tags (keys.ts), as a Redis Cluster needs. `replication`: how durable
 * writes are confirmed (replication.ts); by default they are not waited for.
 */
export function createRedisStores(
  redis: RedisClient,
  options: {
    prefix: string;
    nodeId: string;
    messagesPerGroup: number;
    cluster?: boolean;
    replication?: Replication;
    /** How long positions wait to leave together (default DEFAULT_POSITION_WINDOW_MS; 0: at once). */
    positionWindowMs?: number;
    /** How often positions are written to Redis (default DEFAULT_POSITION_FLUSH_MS). */
    positionFlushMs?: number;
    /** The nodes' word to each other about positions; without it, each learns at its next flush. */
    positionNotices?: PositionNotices;
    /** A renewal or a write of positions, done in the background, failed (see locations.ts). */
    onLocationError?: (err: unknown, what: string) => void;
  },
): Stores & { ready: Promise<void> } {
  const keys = { prefix: options.prefix, tag: options.cluster ? hashTags : bareIds };
  const replication = options.replication ?? noReplication;
  const locations = createRedisLocationStore(redis, keys, {
    nodeId: options.nodeId,
    windowMs: options.positionWindowMs,
    flushMs: options.positionFlushMs,
    notices: options.positionNotices,
    onBackgroundError: options.onLocationError,
  });
  return {
    /** Once the nodes' word about positions is heard. */
    ready: locations.ready,
    users: createRedisUserStore(redis, keys, replication),
    sessions: createRedisSessionStore(redis, keys, replication),
    groups: createRedisGroupStore(redis, keys, replication),
    messages: createRedisMessageStore(redis, keys, options.messagesPerGroup, replication),
    presence: createRedisPresenceStore(redis, keys, options.nodeId),
    locations,
    rides: createRedisRideStore(redis, keys, options.nodeId),
    conversations: createRedisConversationStore(redis, keys),
    sos: createRedisSosStore(redis, keys, replication),
    async ping() {
      await redis.ping();
    },
    /** Before the client closes: positions not yet written are, and the other nodes hear that this one listens no more. */
    async close() {
      await locations.close();
    },
  };
}
