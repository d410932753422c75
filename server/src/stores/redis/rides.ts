import type { Ride, RideAlert, RideEndReason, RideRider } from "@convoy/shared";
import type { RideStore, StoredTrailPoint } from "../types.ts";
import { defineScript, type RedisClient } from "./client.ts";

// A ride is a hash: `meta` (what never changes, JSON the scripts never decode),
// `endedAt`, `endReason`, `lastActivityAt`; its riders are three hashes keyed
// by user id (joined-at, left-at, username), so joining and leaving need no JSON.

// KEYS: group's ride under way, ride, joined, names, group's rides, rides under way.
// ARGV: ride id, meta JSON, started at, user id, username.
const START = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return 0 end
redis.call('HSET', KEYS[2], 'meta', ARGV[2], 'lastActivityAt', ARGV[3])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[3])
redis.call('HSET', KEYS[4], ARGV[4], ARGV[5])
redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1])
redis.call('SADD', KEYS[6], ARGV[1])
return 1
`;

// KEYS: ride, joined, left, names. ARGV: user id, username, joined at.
const JOIN = `
if redis.call('HEXISTS', KEYS[1], 'meta') == 0 or redis.call('HEXISTS', KEYS[1], 'endedAt') == 1 then return 0 end
redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
`;

// KEYS: ride, joined, left. ARGV: user id, at.
const LEAVE = `
if redis.call('HEXISTS', KEYS[1], 'meta') == 0 or redis.call('HEXISTS', KEYS[1], 'endedAt') == 1 then return 0 end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 or redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
return 1
`;

// KEYS: ride, joined, left, group's ride under way, rides under way. ARGV: ride id, reason, at.
const END = `
if redis.call('HEXISTS', KEYS[1], 'meta') == 0 or redis.call('HEXISTS', KEYS[1], 'endedAt') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'endedAt', ARGV[3], 'endReason', ARGV[2])
for _, userId in ipairs(redis.call('HKEYS', KEYS[2])) do
  redis.call('HSETNX', KEYS[3], userId, ARGV[3])
end
if redis.call('GET', KEYS[4]) == ARGV[1] then redis.call('DEL', KEYS[4]) end
redis.call('SREM', KEYS[5], ARGV[1])
return 1
`;

// KEYS: ride. ARGV: at. The latest activity wins; an ended ride stays as it ended.
const TOUCH = `
if redis.call('HEXISTS', KEYS[1], 'endedAt') == 1 then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'lastActivityAt') or '0') < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'lastActivityAt', ARGV[1])
end
return 1
`;

// KEYS: the watch. ARGV: node id, ttl ms.
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if holder == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
`;

type Meta = Omit<Ride, "endedAt" | "endReason" | "riders">;
const encodePoint = (p: StoredTrailPoint) => JSON.stringify([p.lat, p.lng, p.ts, p.along]);
const decodePoint = (json: string): StoredTrailPoint => {
  const [lat, lng, ts, along] = JSON.parse(json) as [number, number, number, number];
  return { lat, lng, ts, along };
};

export function createRedisRideStore(redis: RedisClient, prefix: string, nodeId: string): RideStore {
  const rideKey = (id: string) => `${prefix}ride:${id}`;
  const joinedKey = (id: string) => `${prefix}ride:${id}:joined`;
  const leftKey = (id: string) => `${prefix}ride:${id}:left`;
  const namesKey = (id: string) => `${prefix}ride:${id}:names`;
  const trailKey = (id: string, userId: string) => `${prefix}ride:${id}:trail:${userId}`;
  const trailersKey = (id: string) => `${prefix}ride:${id}:trailers`;
  const alertsKey = (id: string) => `${prefix}ride:${id}:alerts`;
  const underWayKey = (groupId: string) => `${prefix}group-ride:${groupId}`;
  const groupRidesKey = (groupId: string) => `${prefix}group-rides:${groupId}`;
  const allUnderWayKey = `${prefix}rides-under-way`;
  const watchKey = `${prefix}rides-watch`;
  const startScript = defineScript(redis, START);
  const joinScript = defineScript(redis, JOIN);
  const leaveScript = defineScript(redis, LEAVE);
  const endScript = defineScript(redis, END);
  const touchScript = defineScript(redis, TOUCH);
  const claimScript = defineScript(redis, CLAIM);

  /** The ride and when it last saw a position; null when unknown. */
  async function read(rideId: string): Promise<{ ride: Ride; lastActivityAt: number } | null> {
    const [fields, joined, left, names] = (await redis
      .multi()
      .hGetAll(rideKey(rideId))
      .hGetAll(joinedKey(rideId))
      .hGetAll(leftKey(rideId))
      .hGetAll(namesKey(rideId))
      .exec()) as Array<Record<string, string>>;
    if (!fields?.meta) return null;
    const riders: RideRider[] = Object.entries(joined!)
      .map(([userId, joinedAt]) => ({
        userId,
        username: names![userId] ?? "",
        joinedAt: Number(joinedAt),
        leftAt: left![userId] === undefined ? null : Number(left![userId]),
      }))
      .sort((a, b) => a.joinedAt - b.joinedAt || (a.userId < b.userId ? -1 : 1));
    const meta = JSON.parse(fields.meta) as Meta;
    return {
      ride: {
        ...meta,
        endedAt: fields.endedAt === undefined ? null : Number(fields.endedAt),
        endReason: (fields.endReason as RideEndReason | undefined) ?? null,
        riders,
      },
      lastActivityAt: Number(fields.lastActivityAt),
    };
  }
  const find = async (rideId: string) => (await read(rideId))?.ride ?? null;

  async function forget(rideId: string): Promise<void> {
    const trailers = await redis.sMembers(trailersKey(rideId));
    await redis.del([
      rideKey(rideId),
      joinedKey(rideId),
      leftKey(rideId),
      namesKey(rideId),
      trailersKey(rideId),
      alertsKey(rideId),
      ...trailers.map((userId) => trailKey(rideId, userId)),
    ]);
  }

  return {
    async start(ride, keep) {
      const { endedAt: _e, endReason: _r, riders, ...meta } = ride;
      const starter = riders[0];
      if (!starter) throw new Error("a ride starts with its starter as rider");
      const started = await startScript.run(
        [
          underWayKey(ride.groupId),
          rideKey(ride.id),
          joinedKey(ride.id),
          namesKey(ride.id),
          groupRidesKey(ride.groupId),
          allUnderWayKey,
        ],
        [ride.id, JSON.stringify(meta), ride.startedAt, starter.userId, starter.username],
      );
      if (Number(started) !== 1) return false;
      // The oldest beyond `keep` (the one under way counts) are ended: a ride under way is always among the newest.
      const old = await redis.zRange(groupRidesKey(ride.groupId), keep, -1, { REV: true });
      for (const rideId of old) {
        await forget(rideId);
        await redis.zRem(groupRidesKey(ride.groupId), rideId);
      }
      return true;
    },
    find,
    async activeIn(groupId) {
      const rideId = await redis.get(underWayKey(groupId));
      return rideId === null ? null : find(rideId);
    },
    async allActive() {
      const ids = await redis.sMembers(allUnderWayKey);
      const rides = await Promise.all(ids.map(read));
      return rides.filter((entry) => entry !== null && entry.ride.endedAt === null) as Array<{
        ride: Ride;
        lastActivityAt: number;
      }>;
    },
    async history(groupId, limit) {
      const ids = await redis.zRange(groupRidesKey(groupId), 0, limit - 1, { REV: true });
      return (await Promise.all(ids.map(find))).filter((ride) => ride !== null);
    },
    async join(rideId, rider) {
      const joined = await joinScript.run(
        [rideKey(rideId), joinedKey(rideId), leftKey(rideId), namesKey(rideId)],
        [rider.userId, rider.username, rider.joinedAt],
      );
      return Number(joined) === 1 ? find(rideId) : null;
    },
    async leave(rideId, userId, at) {
      const left = await leaveScript.run([rideKey(rideId), joinedKey(rideId), leftKey(rideId)], [userId, at]);
      return Number(left) === 1 ? find(rideId) : null;
    },
    async end(rideId, reason, at) {
      const meta = await redis.hGet(rideKey(rideId), "meta");
      if (!meta) return null;
      const { groupId } = JSON.parse(meta) as Meta;
      const ended = await endScript.run(
        [rideKey(rideId), joinedKey(rideId), leftKey(rideId), underWayKey(groupId), allUnderWayKey],
        [rideId, reason, at],
      );
      return Number(ended) === 1 ? find(rideId) : null;
    },
    async appendTrail(rideId, userId, points, at) {
      await touchScript.run([rideKey(rideId)], [at]);
      if (points.length === 0) return;
      await redis
        .multi()
        .rPush(trailKey(rideId, userId), points.map(encodePoint))
        .sAdd(trailersKey(rideId), userId)
        .exec();
    },
    async replaceTrail(rideId, userId, points) {
      const pipeline = redis.multi().del(trailKey(rideId, userId));
      if (points.length > 0)
        pipeline.rPush(trailKey(rideId, userId), points.map(encodePoint)).sAdd(trailersKey(rideId), userId);
      await pipeline.exec();
    },
    async trails(rideId) {
      const userIds = (await redis.sMembers(trailersKey(rideId))).sort();
      const lists = await Promise.all(userIds.map((userId) => redis.lRange(trailKey(rideId, userId), 0, -1)));
      return new Map(userIds.map((userId, i) => [userId, lists[i]!.map(decodePoint)]));
    },
    async raiseAlert(alert) {
      return (await redis.hSetNX(alertsKey(alert.rideId), alert.userId, JSON.stringify(alert))) === 1;
    },
    async clearAlert(rideId, userId) {
      return (await redis.hDel(alertsKey(rideId), userId)) === 1;
    },
    async alerts(rideId) {
      const all = await redis.hGetAll(alertsKey(rideId));
      return Object.keys(all)
        .sort()
        .map((userId) => JSON.parse(all[userId]!) as RideAlert);
    },
    async claimWatch(ttlMs) {
      return Number(await claimScript.run([watchKey], [nodeId, ttlMs])) === 1;
    },
  };
}
