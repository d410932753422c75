import type { Group } from "@convoy/shared";
import type { GroupStore } from "../types.ts";
import type { RedisClient } from "./client.ts";

export function createRedisGroupStore(redis: RedisClient, prefix: string): GroupStore {
  const groupKey = (id: string) => `${prefix}group:${id}`;
  const inviteKey = (code: string) => `${prefix}invite:${code}`;
  const membersKey = (id: string) => `${prefix}members:${id}`;
  const groupsOfKey = (userId: string) => `${prefix}groups-of:${userId}`;
  const parse = (json: string | null): Group | null => (json === null ? null : (JSON.parse(json) as Group));

  return {
    async create(group) {
      await redis
        .multi()
        .set(groupKey(group.id), JSON.stringify(group))
        .set(inviteKey(group.inviteCode), group.id)
        .sAdd(membersKey(group.id), group.ownerId)
        .sAdd(groupsOfKey(group.ownerId), group.id)
        .exec();
    },
    async findById(id) {
      return parse(await redis.get(groupKey(id)));
    },
    async findByInviteCode(inviteCode) {
      const id = await redis.get(inviteKey(inviteCode));
      return id === null ? null : parse(await redis.get(groupKey(id)));
    },
    async findMany(ids) {
      if (ids.length === 0) return [];
      const rows = await redis.mGet(ids.map(groupKey));
      return rows.flatMap((json) => parse(json) ?? []);
    },
    async addMember(groupId, userId) {
      const [added] = await redis
        .multi()
        .sAdd(membersKey(groupId), userId)
        .sAdd(groupsOfKey(userId), groupId)
        .exec();
      return Number(added) === 1;
    },
    async isMember(groupId, userId) {
      return (await redis.sIsMember(membersKey(groupId), userId)) === 1;
    },
    async memberIds(groupId) {
      return redis.sMembers(membersKey(groupId));
    },
    async groupIdsOf(userId) {
      return redis.sMembers(groupsOfKey(userId));
    },
  };
}
