// Messages per group in a sorted set scored by sequence number. One Lua script
// assigns the id, applies clientMsgId idempotency and evicts past the cap, so
// concurrent sends from any node stay ordered and never duplicate.
import type { ChatMessage } from "@convoy/shared";
import type { MessageStore } from "../types.ts";
import { defineScript, type RedisClient } from "./client.ts";
import type { KeyNaming } from "./keys.ts";
import type { Replication } from "./replication.ts";

// KEYS: seq, log, idempotency hash (the group's slot). ARGV: client key, draft JSON (no id), cap.
// The id goes first in the JSON so that no JSON encoder rewrites the draft. The
// hash also maps '#<seq>' to each message's client key, so that eviction finds
// the keys to drop without decoding what users wrote (Lua's cjson refuses some
// escapes that JSON allows; messages stored before this have no '#<seq>' and keep their key).
const APPEND = `
local existing = redis.call('HGET', KEYS[3], ARGV[1])
if existing then return {0, existing} end
local seq = redis.call('INCR', KEYS[1])
local json = '{"id":"' .. string.format('%012d', seq) .. '",' .. string.sub(ARGV[2], 2)
redis.call('ZADD', KEYS[2], seq, json)
redis.call('HSET', KEYS[3], ARGV[1], json, '#' .. seq, ARGV[1])
local cap = tonumber(ARGV[3])
local count = redis.call('ZCARD', KEYS[2])
if count > cap + math.ceil(cap / 10) then
  local gone = redis.call('ZRANGE', KEYS[2], 0, count - cap - 1, 'WITHSCORES')
  for i = 2, #gone, 2 do
    local bySeq = '#' .. string.format('%d', tonumber(gone[i]))
    local key = redis.call('HGET', KEYS[3], bySeq)
    if key then redis.call('HDEL', KEYS[3], key, bySeq) end
  end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, count - cap - 1)
end
return {1, json}
`;

export function createRedisMessageStore(
  redis: RedisClient,
  { prefix, tag }: KeyNaming,
  capPerGroup: number,
  replication: Replication,
): MessageStore {
  const append = defineScript(redis, APPEND);
  const logKey = (groupId: string) => `${prefix}messages:${tag("g", groupId)}`;
  const seqKey = (groupId: string) => `${prefix}seq:${tag("g", groupId)}`;
  const idempotencyKey = (groupId: string) => `${prefix}idempotency:${tag("g", groupId)}`;
  const parse = (rows: string[]) => rows.map((json) => JSON.parse(json) as ChatMessage);
  const seqOf = (id: string) => Number(id);

  /** ZRANGE over scores, `limit + 1` rows so that hasMore needs no second query. */
  const range = async (groupId: string, from: string, to: string, limit: number, reverse: boolean) => {
    const rows = await redis.zRange(logKey(groupId), from, to, {
      BY: "SCORE",
      REV: reverse,
      LIMIT: { offset: 0, count: limit + 1 },
    });
    return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
  };

  return {
    async append(draft) {
      const key = `${draft.userId}\u0000${draft.clientMsgId}`;
      const [isNew, json] = (await append.run(
        [seqKey(draft.groupId), logKey(draft.groupId), idempotencyKey(draft.groupId)],
        [key, JSON.stringify(draft), capPerGroup],
      )) as [number, string];
      // A retry too: the first try may have stored the message and failed here.
      await replication.confirm(logKey(draft.groupId));
      return { message: JSON.parse(json) as ChatMessage, isNew: isNew === 1 };
    },
    async latest(groupId, limit) {
      return parse(await redis.zRange(logKey(groupId), -limit, -1));
    },
    async after(groupId, afterId, limit) {
      const { rows, hasMore } = await range(groupId, `(${seqOf(afterId)}`, "+inf", limit, false);
      return { messages: parse(rows), hasMore };
    },
    async before(groupId, beforeId, limit) {
      const from = beforeId === null ? "+inf" : `(${seqOf(beforeId)}`;
      const { rows, hasMore } = await range(groupId, from, "-inf", limit, true);
      return { messages: parse(rows).reverse(), hasMore };
    },
  };
}
