// Groups in Redis. A group's own keys (the group, its members) share the
// group's slot; what indexes groups per user (owned, member of) lives in the
// user's slot, and an invite code in its own. Writes that span them go in a
// fixed order, so that a reader or a crash between steps never sees an index
// entry for a group that is not all there.
import type { Group } from "@convoy/shared";
import type { GroupStore } from "../types.ts";
import { defineScript, type RedisClient } from "./client.ts";
import type { KeyNaming } from "./keys.ts";
import type { Replication } from "./replication.ts";

// The quota is counted and taken in one script: two requests at once cannot both take the last place.
// KEYS: owned-by. ARGV: group id, max owned.
const RESERVE = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
`;

// KEYS: members. ARGV: user id, max members.
const ADD_MEMBER = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 'member' end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 'full' end
redis.call('SADD', KEYS[1], ARGV[1])
return 'added'
`;

export function createRedisGroupStore(
  redis: RedisClient,
  { prefix, tag }: KeyNaming,
  replication: Replication,
): GroupStore {
  const groupKey = (id: string) => `${prefix}group:${tag("g", id)}`;
  const membersKey = (id: string) => `${prefix}members:${tag("g", id)}`;
  const inviteKey = (code: string) => `${prefix}invite:${code}`;
  const groupsOfKey = (userId: string) => `${prefix}groups-of:${tag("u", userId)}`;
  const ownedKey = (userId: string) => `${prefix}owned-by:${tag("u", userId)}`;
  const reserveScript = defineScript(redis, RESERVE);
  const addMemberScript = defineScript(redis, ADD_MEMBER);
  const parse = (json: string | null): Group | null => (json === null ? null : (JSON.parse(json) as Group));

  return {
    async create(group, maxOwned) {
      // 1. The owner's quota (their slot). A crash after it costs the owner a place until an operator
      //    removes the id from owned-by: the group it names never appears anywhere.
      const reserved = await reserveScript.run([ownedKey(group.ownerId)], [group.id, maxOwned]);
      if (Number(reserved) !== 1) return false;
      // 2. The group with its owner as member (its slot), 3. then what finds it: invite, owner's list.
      await redis
        .multi()
        .set(groupKey(group.id), JSON.stringify(group))
        .sAdd(membersKey(group.id), group.ownerId)
        .exec();
      await redis.set(inviteKey(group.inviteCode), group.id);
      await redis.sAdd(groupsOfKey(group.ownerId), group.id);
      await replication.confirm(
        ownedKey(group.ownerId),
        groupKey(group.id),
        inviteKey(group.inviteCode),
        groupsOfKey(group.ownerId),
      );
      return true;
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
      const outcome = await addMemberScript.run([membersKey(groupId)], [userId, maxMembers]);
      if (outcome === "full") return "full";
      // Also when already a member: mends the user's list after a crash between the two steps.
      await redis.sAdd(groupsOfKey(userId), groupId);
      await replication.confirm(membersKey(groupId), groupsOfKey(userId));
      return outcome === "added" ? "added" : "member";
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
