import type { SessionStore } from "../types.ts";
import type { RedisClient } from "./client.ts";

export function createRedisSessionStore(redis: RedisClient, prefix: string): SessionStore {
  // Redis forgets a session at its expiry by itself (PEXPIREAT).
  const sessionKey = (id: string) => `${prefix}session:${id}`;
  const sessionsOfKey = (userId: string) => `${prefix}sessions-of:${userId}`;

  return {
    async create(session) {
      await redis
        .multi()
        .hSet(sessionKey(session.id), { userId: session.userId, expiresAt: session.expiresAt })
        .pExpireAt(sessionKey(session.id), session.expiresAt)
        .sAdd(sessionsOfKey(session.userId), session.id)
        // The index lives as long as the user's longest session (GT: never shortened).
        .pExpireAt(sessionsOfKey(session.userId), session.expiresAt, "GT")
        .exec();
    },
    async find(id, now) {
      const [userId, expiresAt] = await redis.hmGet(sessionKey(id), ["userId", "expiresAt"]);
      if (!userId || !expiresAt || Number(expiresAt) <= now) return null;
      return { id, userId, expiresAt: Number(expiresAt) };
    },
    async revoke(id) {
      const userId = await redis.hGet(sessionKey(id), "userId");
      if (!userId) return false;
      await redis.multi().del(sessionKey(id)).sRem(sessionsOfKey(userId), id).exec();
      return true;
    },
    async revokeAll(userId) {
      const ids = await redis.sMembers(sessionsOfKey(userId));
      if (ids.length === 0) return [];
      // Removes only what was read: a login meanwhile keeps its session, and its index entry.
      const pipeline = redis.multi();
      for (const id of ids) pipeline.del(sessionKey(id));
      pipeline.sRem(sessionsOfKey(userId), ids);
      await pipeline.exec();
      return ids;
    },
  };
}
