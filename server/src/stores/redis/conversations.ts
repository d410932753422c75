import type { ConversationStore } from "../types.ts";
import type { RedisClient } from "./client.ts";

export function createRedisConversationStore(redis: RedisClient, prefix: string): ConversationStore {
  // A sorted set per user: partner → time of the last message (GT: never moves back).
  const partnersKey = (userId: string) => `${prefix}dm-partners:${userId}`;

  return {
    async touch(a, b, ts) {
      await redis
        .multi()
        .zAdd(partnersKey(a), { score: ts, value: b }, { GT: true })
        .zAdd(partnersKey(b), { score: ts, value: a }, { GT: true })
        .exec();
    },
    async partnersOf(userId, limit) {
      return redis.zRange(partnersKey(userId), 0, limit - 1, { REV: true });
    },
  };
}
