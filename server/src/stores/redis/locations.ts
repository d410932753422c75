// Live location in Redis: who shares per group (a set), each rider's latest
// position (a hash, with its device ts beside it), and one sorted set of when
// each position arrived, from which stale riders are expired exactly once.
import type { Position, RiderStopped } from "@convoy/shared";
import type { LocationStore } from "../types.ts";
import { defineScript, type RedisClient } from "./client.ts";

// KEYS: sharing, positions, device ts, arrivals. ARGV: user, json, ts, receivedAt, arrival member.
const RECORD = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return 0 end
local current = redis.call('HGET', KEYS[3], ARGV[1])
if current and tonumber(current) > tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[5])
return 1
`;
// KEYS: arrivals. ARGV: cutoff, key prefix. Removes at most 1000 a call.
const EXPIRE = `
local due = redis.call('ZRANGE', KEYS[1], '-inf', '(' .. ARGV[1], 'BYSCORE', 'LIMIT', 0, 1000)
local gone = {}
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  local sep = string.find(member, '\\0', 1, true)
  local group, user = string.sub(member, 1, sep - 1), string.sub(member, sep + 1)
  redis.call('HDEL', ARGV[2] .. 'positions:' .. group, user)
  redis.call('HDEL', ARGV[2] .. 'position-ts:' .. group, user)
  table.insert(gone, group)
  table.insert(gone, user)
end
return gone
`;

export function createRedisLocationStore(redis: RedisClient, prefix: string): LocationStore {
  const record = defineScript(redis, RECORD);
  const expire = defineScript(redis, EXPIRE);
  const sharingKey = (groupId: string) => `${prefix}sharing:${groupId}`;
  const positionsKey = (groupId: string) => `${prefix}positions:${groupId}`;
  const deviceTsKey = (groupId: string) => `${prefix}position-ts:${groupId}`;
  const arrivalsKey = `${prefix}position-arrivals`;
  const rider = (groupId: string, userId: string) => `${groupId}\u0000${userId}`;

  return {
    async setSharing(groupId, userId, sharing) {
      if (sharing) return { changed: (await redis.sAdd(sharingKey(groupId), userId)) === 1 };
      const [removed] = (await redis
        .multi()
        .sRem(sharingKey(groupId), userId)
        .hDel(positionsKey(groupId), userId)
        .hDel(deviceTsKey(groupId), userId)
        .zRem(arrivalsKey, rider(groupId, userId))
        .exec()) as [number];
      return { changed: removed === 1 };
    },
    async isSharing(groupId, userId) {
      return (await redis.sIsMember(sharingKey(groupId), userId)) === 1;
    },
    async record(position, receivedAt) {
      const kept = await record.run(
        [
          sharingKey(position.groupId),
          positionsKey(position.groupId),
          deviceTsKey(position.groupId),
          arrivalsKey,
        ],
        [
          position.userId,
          JSON.stringify(position),
          position.ts,
          receivedAt,
          rider(position.groupId, position.userId),
        ],
      );
      return kept === 1;
    },
    async riders(groupId) {
      return (await redis.hVals(positionsKey(groupId))).map((json) => JSON.parse(json) as Position);
    },
    async expire(cutoff) {
      const flat = (await expire.run([arrivalsKey], [cutoff, prefix])) as string[];
      const stopped: RiderStopped[] = [];
      for (let i = 0; i < flat.length; i += 2) stopped.push({ groupId: flat[i]!, userId: flat[i + 1]! });
      return stopped;
    },
  };
}
