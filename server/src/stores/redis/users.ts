import type { User } from "@convoy/shared";
import type { StoredUser, UserStore } from "../types.ts";
import type { RedisClient } from "./client.ts";
import type { KeyNaming } from "./keys.ts";
import type { Replication } from "./replication.ts";

export function createRedisUserStore(
  redis: RedisClient,
  { prefix, tag }: KeyNaming,
  replication: Replication,
): UserStore {
  const userKey = (id: string) => `${prefix}user:${tag("u", id)}`;
  // Found by name, so in the name's own slot (usernames are [A-Za-z0-9_.-]: never a hash tag).
  const nameKey = (username: string) => `${prefix}username:${username.toLowerCase()}`;

  async function findById(id: string): Promise<StoredUser | null> {
    const user = await redis.hGetAll(userKey(id));
    return user.id && user.username && user.passwordHash
      ? { id: user.id, username: user.username, passwordHash: user.passwordHash }
      : null;
  }

  return {
    async create(user) {
      // SET NX decides who gets a name, atomically across nodes.
      if ((await redis.set(nameKey(user.username), user.id, { NX: true })) === null) return false;
      await redis.hSet(userKey(user.id), {
        id: user.id,
        username: user.username,
        passwordHash: user.passwordHash,
      });
      await replication.confirm(nameKey(user.username), userKey(user.id));
      return true;
    },
    async findByUsername(username) {
      const id = await redis.get(nameKey(username));
      return id === null ? null : findById(id);
    },
    findById,
    async setPasswordHash(id, passwordHash) {
      // Users are never deleted: an existing one stays so; a missing one is not half-made here.
      if (!Number(await redis.hExists(userKey(id), "id"))) return false;
      await redis.hSet(userKey(id), "passwordHash", passwordHash);
      await replication.confirm(userKey(id));
      return true;
    },
    async findMany(ids) {
      if (ids.length === 0) return [];
      // One HMGET per user, sent together: on a cluster the users live in different slots.
      const rows = await Promise.all(ids.map((id) => redis.hmGet(userKey(id), ["id", "username"])));
      return rows.flatMap(([id, username]): User[] => (id && username ? [{ id, username }] : []));
    },
  };
}
