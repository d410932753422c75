import { createRedisSessionStore } from "./sessions.ts";
import type { Stores } from "../types.ts";
import type { RedisClient } from "./client.ts";
import { createRedisConversationStore } from "./conversations.ts";
import { createRedisGroupStore } from "./groups.ts";
import { createRedisLocationStore } from "./locations.ts";
import { createRedisMessageStore } from "./messages.ts";
import { createRedisPresenceStore } from "./presence.ts";
import { createRedisRideStore } from "./rides.ts";
import { createRedisSosStore } from "./sos.ts";
import { createRedisUserStore } from "./users.ts";

/** Clustered mode: state in Redis, shared by every node. The caller owns the client's lifetime. */
export function createRedisStores(
  redis: RedisClient,
  options: { prefix: string; nodeId: string; messagesPerGroup: number },
): Stores {
  const { prefix } = options;
  return {
    users: createRedisUserStore(redis, prefix),
    sessions: createRedisSessionStore(redis, prefix),
    groups: createRedisGroupStore(redis, prefix),
    messages: createRedisMessageStore(redis, prefix, options.messagesPerGroup),
    presence: createRedisPresenceStore(redis, prefix, options.nodeId),
    locations: createRedisLocationStore(redis, prefix),
    rides: createRedisRideStore(redis, prefix, options.nodeId),
    conversations: createRedisConversationStore(redis, prefix),
    sos: createRedisSosStore(redis, prefix),
    async ping() {
      await redis.ping();
    },
    async close() {},
  };
}
