// Presence in Redis: per user, a hash of connection id → away flag, counted by
// Lua so that every node sees one aggregate (the user's slot). Each node
// heartbeats; the connections of a node that stops (killed, power loss) are
// detached by any surviving node once its heartbeat is older than the dead-node
// limit. A node's list of its connections is in its own slot: a connection is
// listed there before it is attached, and unlisted after it is detached, so a
// crash between the two never leaves a connection no reaper can find.
import type { PresenceStatus } from "@convoy/shared";
import type { PresenceChange, PresenceStore } from "../types.ts";
import { defineScript, type RedisClient } from "./client.ts";
import type { KeyNaming } from "./keys.ts";

// Shared Lua: the aggregate status of a user's connection hash.
const STATUS = `
local function status(key)
  local flags = redis.call('HVALS', key)
  if #flags == 0 then return 'offline' end
  for _, away in ipairs(flags) do if away == '0' then return 'online' end end
  return 'away'
end
`;
// KEYS: connections, last seen. ARGV: conn id.
const ATTACH = `${STATUS}
local before = status(KEYS[1])
redis.call('HSET', KEYS[1], ARGV[1], '0')
return {before, status(KEYS[1]), redis.call('GET', KEYS[2]) or ''}
`;
// KEYS: connections, last seen. ARGV: conn id, '1' away / '0' online.
const SET_AWAY = `${STATUS}
local before = status(KEYS[1])
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return {before, status(KEYS[1]), redis.call('GET', KEYS[2]) or ''}
`;
// KEYS: connections, last seen. ARGV: conn id, now.
const DETACH = `${STATUS}
local before = status(KEYS[1])
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
if removed == 1 and redis.call('HLEN', KEYS[1]) == 0 then redis.call('SET', KEYS[2], ARGV[2]) end
return {before, status(KEYS[1]), redis.call('GET', KEYS[2]) or ''}
`;

export function createRedisPresenceStore(
  redis: RedisClient,
  { prefix, tag }: KeyNaming,
  nodeId: string,
): PresenceStore {
  const attach = defineScript(redis, ATTACH);
  const setAway = defineScript(redis, SET_AWAY);
  const detach = defineScript(redis, DETACH);
  const connectionsKey = (userId: string) => `${prefix}presence:${tag("u", userId)}`;
  const lastSeenKey = (userId: string) => `${prefix}last-seen:${tag("u", userId)}`;
  const nodeConnectionsKey = (node: string) => `${prefix}node-connections:${node}`;
  const nodesKey = `${prefix}nodes`;
  const member = (userId: string, connId: string) => `${userId}\u0000${connId}`;

  const toChange = (reply: unknown): PresenceChange => {
    const [before, after, lastSeen] = reply as [PresenceStatus, PresenceStatus, string];
    return { before, after: { status: after, lastSeen: lastSeen === "" ? null : Number(lastSeen) } };
  };
  const detachOn = async (node: string, userId: string, connId: string, now: number) => {
    const change = toChange(await detach.run([connectionsKey(userId), lastSeenKey(userId)], [connId, now]));
    await redis.sRem(nodeConnectionsKey(node), member(userId, connId));
    return change;
  };

  return {
    async attach(userId, connId) {
      await redis.sAdd(nodeConnectionsKey(nodeId), member(userId, connId));
      return toChange(await attach.run([connectionsKey(userId), lastSeenKey(userId)], [connId]));
    },
    async setAway(userId, connId, away) {
      return toChange(
        await setAway.run([connectionsKey(userId), lastSeenKey(userId)], [connId, away ? 1 : 0]),
      );
    },
    async detach(userId, connId, now) {
      return detachOn(nodeId, userId, connId, now);
    },
    async states(userIds) {
      if (userIds.length === 0) return new Map();
      // Per user, sent together: on a cluster the users live in different slots.
      const replies = await Promise.all(
        userIds.map((id) => Promise.all([redis.hVals(connectionsKey(id)), redis.get(lastSeenKey(id))])),
      );
      return new Map(
        userIds.map((id, i) => {
          const [flags, lastSeen] = replies[i]!;
          const away = flags.filter((flag) => flag === "1").length;
          const status: PresenceStatus =
            flags.length === 0 ? "offline" : away === flags.length ? "away" : "online";
          return [id, { status, lastSeen: lastSeen === null ? null : Number(lastSeen) }];
        }),
      );
    },
    async heartbeat(now) {
      return (await redis.zAdd(nodesKey, { score: now, value: nodeId })) === 1;
    },
    async reapDeadNodes(now, deadAfterMs) {
      const dead = await redis.zRangeByScore(nodesKey, "-inf", `(${now - deadAfterMs}`);
      const changes = [];
      for (const node of dead) {
        // Whoever removes the node from the set reaps it; other nodes skip it.
        if (node === nodeId || (await redis.zRem(nodesKey, node)) !== 1) continue;
        for (const entry of await redis.sMembers(nodeConnectionsKey(node))) {
          const [userId = "", connId = ""] = entry.split("\u0000");
          changes.push({ userId, change: await detachOn(node, userId, connId, now) });
        }
        await redis.del(nodeConnectionsKey(node));
      }
      return changes;
    },
    async forgetNode() {
      await redis.zRem(nodesKey, nodeId);
    },
  };
}
