import type { ConversationStore } from "../types.ts";
import type { RedisClient } from "./client.ts";
import type { KeyNaming } from "./keys.ts";

export function createRedisConversationStore(
  redis: RedisClient,
  { prefix, tag }: KeyNaming,
): ConversationStore {
  // A sorted set per user: partner → time of the last message (GT: never moves back).
  const partnersKey = (userId: string) => `${prefix}dm-partners:${tag("u", userId)}`;

  return {
    async touch(a, b, ts) {
      // Two users, two slots: each side on its own. A crash in between leaves one side a
      // message behind, which the next message between them mends (GT keeps the latest).
      await Promise.all([
        redis.zAdd(partnersKey(a), { score: ts, value: b }, { GT: true }),
        redis.zAdd(partnersKey(b), { score: ts, value: a }, { GT: true }),
      ]);
    },
    async partnersOf(userId, limit) {
      return redis.zRange(partnersKey(userId), 0, limit - 1, { REV: true });
    },
  };
}
