import { createRedisSessionStore } from "./sessions.ts";
import type { Stores } from "../types.ts";
import type { RedisClient } from "./client.ts";
import { createRedisConversationStore } from "./conversations.ts";
import { createRedisGroupStore } from "./groups.ts";
import { bareIds, hashTags } from "./keys.ts";
import { createRedisLocationStore } from "./locations.ts";
import { createRedisMessageStore } from "./messages.ts";
import { createRedisPresenceStore } from "./presence.ts";
import { createRedisRideStore } from "./rides.ts";
import { createRedisSosStore } from "./sos.ts";
import { createRedisUserStore } from "./users.ts";

/**
 * Clustered mode: state in Redis, shared by every node. The caller owns the client's lifetime.
 * `cluster`: keys carry hash tags (keys.ts), as a Redis Cluster needs.
 */
export function createRedisStores(
  redis: RedisClient,
  options: { prefix: string; nodeId: string; messagesPerGroup: number; cluster?: boolean },
): Stores {
  const keys = { prefix: options.prefix, tag: options.cluster ? hashTags : bareIds };
  return {
    users: createRedisUserStore(redis, keys),
    sessions: createRedisSessionStore(redis, keys),
    groups: createRedisGroupStore(redis, keys),
    messages: createRedisMessageStore(redis, keys, options.messagesPerGroup),
    presence: createRedisPresenceStore(redis, keys, options.nodeId),
    locations: createRedisLocationStore(redis, keys),
    rides: createRedisRideStore(redis, keys, options.nodeId),
    conversations: createRedisConversationStore(redis, keys),
    sos: createRedisSosStore(redis, keys),
    async ping() {
      await redis.ping();
    },
    async close() {},
  };
}
