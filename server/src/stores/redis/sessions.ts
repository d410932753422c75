// Sessions in Redis: a hash per session, found by its id alone (its own slot),
// and per user the set of their session ids (the user's slot), so that
// revokeAll finds them. Redis forgets a session at its expiry by itself (PEXPIREAT).
import type { SessionStore } from "../types.ts";
import type { RedisClient } from "./client.ts";
import type { KeyNaming } from "./keys.ts";
import type { Replication } from "./replication.ts";

export function createRedisSessionStore(
  redis: RedisClient,
  { prefix, tag }: KeyNaming,
  replication: Replication,
): SessionStore {
  const sessionKey = (id: string) => `${prefix}session:${id}`;
  const sessionsOfKey = (userId: string) => `${prefix}sessions-of:${tag("u", userId)}`;

  return {
    async create(session) {
      // The index first: a session revokeAll cannot find must never exist. Crashing after it
      // leaves an id without a session, which revoking ignores.
      await redis
        .multi()
        .sAdd(sessionsOfKey(session.userId), session.id)
        // The index lives as long as the user's longest session (GT: never shortened).
        .pExpireAt(sessionsOfKey(session.userId), session.expiresAt, "GT")
        .exec();
      await redis
        .multi()
        .hSet(sessionKey(session.id), { userId: session.userId, expiresAt: session.expiresAt })
        .pExpireAt(sessionKey(session.id), session.expiresAt)
        .exec();
      // A revokeAll that read the index before the session was written has deleted nothing: undo it here.
      if (!(await redis.sIsMember(sessionsOfKey(session.userId), session.id))) {
        await redis.del(sessionKey(session.id));
      }
      await replication.confirm(sessionsOfKey(session.userId), sessionKey(session.id));
    },
    async find(id, now) {
      const [userId, expiresAt] = await redis.hmGet(sessionKey(id), ["userId", "expiresAt"]);
      if (!userId || !expiresAt || Number(expiresAt) <= now) return null;
      return { id, userId, expiresAt: Number(expiresAt) };
    },
    async revoke(id) {
      const userId = await redis.hGet(sessionKey(id), "userId");
      if (!userId) return false;
      // The session first: a crash in between leaves an index entry for nothing.
      await redis.del(sessionKey(id));
      await redis.sRem(sessionsOfKey(userId), id);
      // A revoke lost in a failover would bring the session back.
      await replication.confirm(sessionKey(id), sessionsOfKey(userId));
      return true;
    },
    async revokeAll(userId) {
      const ids = await redis.sMembers(sessionsOfKey(userId));
      if (ids.length === 0) return [];
      // Removes only what was read: a login meanwhile keeps its session, and its index entry.
      await Promise.all(ids.map((id) => redis.del(sessionKey(id))));
      await redis.sRem(sessionsOfKey(userId), ids);
      await replication.confirm(sessionsOfKey(userId), ...ids.map(sessionKey));
      return ids;
    },
  };
}
