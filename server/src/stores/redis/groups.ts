import type { Group } from "@convoy/shared";
import type { GroupStore } from "../types.ts";
import { defineScript, type RedisClient } from "./client.ts";

// Quotas are counted and stored in one script: two requests at once cannot both take the last place.
// KEYS: owned-by, group, invite, members, groups-of. ARGV: group id, max owned, group JSON, owner id.
const CREATE = `
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[3])
redis.call('SET', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[4])
redis.call('SADD', KEYS[5], ARGV[1])
return 1
`;

// KEYS: members, groups-of. ARGV: user id, group id, max members.
const ADD_MEMBER = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 'member' end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 'full' end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return 'added'
`;

export function createRedisGroupStore(redis: RedisClient, prefix: string): GroupStore {
  const groupKey = (id: string) => `${prefix}group:${id}`;
  const inviteKey = (code: string) => `${prefix}invite:${code}`;
  const membersKey = (id: string) => `${prefix}members:${id}`;
  const groupsOfKey = (userId: string) => `${prefix}groups-of:${userId}`;
  const ownedKey = (userId: string) => `${prefix}owned-by:${userId}`;
  const createScript = defineScript(redis, CREATE);
  const addMemberScript = defineScript(redis, ADD_MEMBER);
  const parse = (json: string | null): Group | null => (json === null ? null : (JSON.parse(json) as Group));

  return {
    async create(group, maxOwned) {
      const created = await createScript.run(
        [
          ownedKey(group.ownerId),
          groupKey(group.id),
          inviteKey(group.inviteCode),
          membersKey(group.id),
          groupsOfKey(group.ownerId),
        ],
        [group.id, maxOwned, JSON.stringify(group), group.ownerId],
      );
      return Number(created) === 1;
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
      // One GET per group, not MGET: on a cluster the groups live in different slots.
      const rows = await Promise.all(ids.map((id) => redis.get(groupKey(id))));
      return rows.flatMap((json) => parse(json) ?? []);
    },
    async addMember(groupId, userId, maxMembers) {
      const outcome = await addMemberScript.run(
        [membersKey(groupId), groupsOfKey(userId)],
        [userId, groupId, maxMembers],
      );
      return outcome === "added" || outcome === "full" ? outcome : "member";
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
