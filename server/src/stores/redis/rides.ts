// Rides in Redis. A ride is a hash: `meta` (what never changes, JSON the
// scripts never decode), `endedAt`, `endReason`, `lastActivityAt`; its riders
// are three hashes keyed by user id (joined-at, left-at, username), so joining
// and leaving need no JSON. Every key of a ride is in the ride's slot; the
// group's ride under way and its history are in the group's slot, and the set
// of rides under way everywhere in its own. Starting writes the ride, lists it
// as under way, then claims the group; ending goes the other way round. Readers
// trust the group's claim, so a crash between steps never shows a ride that
// lost its claim, and a claim left by an ended ride is taken back.
import type { Ride, RideAlert, RideEndReason, RideRider } from "@convoy/shared";
import type { RideStore, StoredTrailPoint } from "../types.ts";
import { defineScript, type RedisClient } from "./client.ts";
import type { KeyNaming } from "./keys.ts";

// KEYS: group's ride under way, group's rides. ARGV: ride id, started at.
const CLAIM_GROUP = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return redis.call('GET', KEYS[1]) end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return ''
`;

// KEYS: group's ride under way. ARGV: ride id.
const RELEASE_GROUP = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
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

// KEYS: ride, joined, left. ARGV: reason, at.
const END = `
if redis.call('HEXISTS', KEYS[1], 'meta') == 0 or redis.call('HEXISTS', KEYS[1], 'endedAt') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'endedAt', ARGV[2], 'endReason', ARGV[1])
for _, userId in ipairs(redis.call('HKEYS', KEYS[2])) do
  redis.call('HSETNX', KEYS[3], userId, ARGV[2])
end
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

export function createRedisRideStore(
  redis: RedisClient,
  { prefix, tag }: KeyNaming,
  nodeId: string,
): RideStore {
  const rideKey = (id: string) => `${prefix}ride:${tag("r", id)}`;
  const joinedKey = (id: string) => `${rideKey(id)}:joined`;
  const leftKey = (id: string) => `${rideKey(id)}:left`;
  const namesKey = (id: string) => `${rideKey(id)}:names`;
  const trailKey = (id: string, userId: string) => `${rideKey(id)}:trail:${userId}`;
  const trailersKey = (id: string) => `${rideKey(id)}:trailers`;
  const alertsKey = (id: string) => `${rideKey(id)}:alerts`;
  const underWayKey = (groupId: string) => `${prefix}group-ride:${tag("g", groupId)}`;
  const groupRidesKey = (groupId: string) => `${prefix}group-rides:${tag("g", groupId)}`;
  const allUnderWayKey = `${prefix}rides-under-way`;
  const watchKey = `${prefix}rides-watch`;
  const claimGroupScript = defineScript(redis, CLAIM_GROUP);
  const releaseGroupScript = defineScript(redis, RELEASE_GROUP);
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

  /** The ride under way in the group: the one that holds the group's claim, unless it ended. */
  async function underWay(groupId: string): Promise<{ ride: Ride; lastActivityAt: number } | null> {
    const rideId = await redis.get(underWayKey(groupId));
    const entry = rideId === null ? null : await read(rideId);
    return entry && entry.ride.endedAt === null ? entry : null;
  }

  /** Steps 2 and 3 of ending (after the ride's own), also taking back a claim an ended ride left. */
  async function release(rideId: string, groupId: string): Promise<void> {
    await releaseGroupScript.run([underWayKey(groupId)], [rideId]);
    await redis.sRem(allUnderWayKey, rideId);
  }

  async function claim(ride: Ride): Promise<boolean> {
    const holder = (await claimGroupScript.run(
      [underWayKey(ride.groupId), groupRidesKey(ride.groupId)],
      [ride.id, ride.startedAt],
    )) as string;
    if (holder === "") return true;
    // A claim whose ride ended (a crash between ending's steps) is taken back, once.
    const held = await find(holder);
    if (!held || held.endedAt === null) return false;
    await release(holder, ride.groupId);
    return (
      (await claimGroupScript.run(
        [underWayKey(ride.groupId), groupRidesKey(ride.groupId)],
        [ride.id, ride.startedAt],
      )) === ""
    );
  }

  return {
    async start(ride, keep) {
      const { endedAt: _e, endReason: _r, riders, ...meta } = ride;
      const starter = riders[0];
      if (!starter) throw new Error("a ride starts with its starter as rider");
      // 1. The ride (its slot), 2. listed as under way, 3. the group's claim, which makes it real.
      await redis
        .multi()
        .hSet(rideKey(ride.id), { meta: JSON.stringify(meta), lastActivityAt: ride.startedAt })
        .hSet(joinedKey(ride.id), starter.userId, ride.startedAt)
        .hSet(namesKey(ride.id), starter.userId, starter.username)
        .exec();
      await redis.sAdd(allUnderWayKey, ride.id);
      if (!(await claim(ride))) {
        await redis.sRem(allUnderWayKey, ride.id);
        await forget(ride.id);
        return false;
      }
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
      return (await underWay(groupId))?.ride ?? null;
    },
    async allActive() {
      const ids = await redis.sMembers(allUnderWayKey);
      const rides = await Promise.all(
        ids.map(async (rideId) => {
          const entry = await read(rideId);
          if (!entry || entry.ride.endedAt !== null) return null;
          // Only the ride that holds its group's claim is under way (not one that lost it, or is still starting).
          return (await redis.get(underWayKey(entry.ride.groupId))) === rideId ? entry : null;
        }),
      );
      return rides.filter((entry) => entry !== null);
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
      const ended = await endScript.run([rideKey(rideId), joinedKey(rideId), leftKey(rideId)], [reason, at]);
      if (Number(ended) !== 1) return null;
      await release(rideId, groupId);
      return find(rideId);
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
    async trails(rideId, from) {
      const userIds = (await redis.sMembers(trailersKey(rideId))).sort();
      const lists = await Promise.all(
        userIds.map((userId) => redis.lRange(trailKey(rideId, userId), from?.get(userId) ?? 0, -1)),
      );
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
