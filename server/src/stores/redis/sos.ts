// SOS alerts in Redis. Each SOS is a hash: `core`, the JSON of what was raised
// (never decoded by a script: Lua's cjson refuses some escapes that JSON
// allows, and the note is user text), beside the fields that change. Receipts
// are a hash per SOS, user → "rank:at:username" (usernames are plain ASCII).
// Two sorted sets over every group say which SOS is due for a re-send and for
// the webhook; the scripts claim from them, so one node wins each.
import { SOS_RECEIPT_STATES, sosReceiptRank, type Sos, type SosReceipt } from "@convoy/shared";
import type { SosDraft, SosStore } from "../types.ts";
import { defineScript, type RedisClient } from "./client.ts";

// KEYS: idempotency hash, open hash (of the group), the SOS, re-send set, webhook set.
// ARGV: idempotency key, user, id, core JSON, group, raisedAt, resendAt ('' for never).
const RAISE = `
local existing = redis.call('HGET', KEYS[1], ARGV[1]) or redis.call('HGET', KEYS[2], ARGV[2])
if existing then return {0, existing} end
redis.call('HSET', KEYS[3], 'core', ARGV[4], 'group', ARGV[5], 'user', ARGV[2], 'idem', ARGV[1],
  'sentCount', 1, 'resolvedAt', '', 'resolvedBy', '')
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
if ARGV[7] ~= '' then redis.call('ZADD', KEYS[4], ARGV[7], ARGV[3]) end
redis.call('ZADD', KEYS[5], ARGV[6], ARGV[3])
return {1, ARGV[3]}
`;

// KEYS: the SOS, its receipts, re-send set, webhook set. ARGV: user, rank, at, username, id.
// -1: no such SOS; 0: unchanged; 1: moved forward.
const RECEIPT = `
local resolvedAt = redis.call('HGET', KEYS[1], 'resolvedAt')
if not resolvedAt then return -1 end
if resolvedAt ~= '' then return 0 end
local current = redis.call('HGET', KEYS[2], ARGV[1])
if current and tonumber(string.match(current, '^(%d+)')) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. ':' .. ARGV[3] .. ':' .. ARGV[4])
if ARGV[2] == '3' then
  redis.call('HSET', KEYS[1], 'acknowledged', '1')
  redis.call('ZREM', KEYS[3], ARGV[5])
  redis.call('ZREM', KEYS[4], ARGV[5])
end
return 1
`;

// KEYS: re-send set, webhook set. ARGV: key prefix, id, user, at, keep.
// The group's keys are named from the SOS, as only it knows its group.
const RESOLVE = `
local sos = ARGV[1] .. 'sos:' .. ARGV[2]
local resolvedAt = redis.call('HGET', sos, 'resolvedAt')
if not resolvedAt then return -1 end
if resolvedAt ~= '' then return 0 end
redis.call('HSET', sos, 'resolvedAt', ARGV[4], 'resolvedBy', ARGV[3])
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[2])
local group = redis.call('HGET', sos, 'group')
local raiser = redis.call('HGET', sos, 'user')
local open = ARGV[1] .. 'sos-open:' .. group
if redis.call('HGET', open, raiser) == ARGV[2] then redis.call('HDEL', open, raiser) end
local resolved = ARGV[1] .. 'sos-resolved:' .. group
redis.call('ZADD', resolved, ARGV[4], ARGV[2])
local keep = tonumber(ARGV[5])
local count = redis.call('ZCARD', resolved)
if count > keep then
  local idempotency = ARGV[1] .. 'sos-idem:' .. group
  for _, old in ipairs(redis.call('ZRANGE', resolved, 0, count - keep - 1)) do
    local key = redis.call('HGET', ARGV[1] .. 'sos:' .. old, 'idem')
    if key then redis.call('HDEL', idempotency, key) end
    redis.call('DEL', ARGV[1] .. 'sos:' .. old, ARGV[1] .. 'sos-receipts:' .. old)
  end
  redis.call('ZREMRANGEBYRANK', resolved, 0, count - keep - 1)
end
return 1
`;

// KEYS: re-send set. ARGV: key prefix, now, everyMs, maxSends, batch.
const CLAIM_RESENDS = `
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[2], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[5]))
local claimed = {}
for _, id in ipairs(due) do
  local sos = ARGV[1] .. 'sos:' .. id
  if redis.call('EXISTS', sos) == 0 then
    redis.call('ZREM', KEYS[1], id)
  else
    local sent = redis.call('HINCRBY', sos, 'sentCount', 1)
    if sent >= tonumber(ARGV[4]) then
      redis.call('ZREM', KEYS[1], id)
    else
      redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]), id)
    end
    table.insert(claimed, id)
  end
end
return claimed
`;

// KEYS: webhook set. ARGV: raisedBy, batch.
const CLAIM_WEBHOOKS = `
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(due) do redis.call('ZREM', KEYS[1], id) end
return due
`;

/** Claimed per call at most, so that one script never holds Redis long. */
const CLAIM_BATCH = 100;

type Core = Omit<Sos, "resolvedAt" | "resolvedBy" | "sentCount" | "receipts">;

function parseReceipt(userId: string, value: string): SosReceipt {
  const [rank, at, ...name] = value.split(":");
  return {
    userId,
    username: name.join(":"),
    state: SOS_RECEIPT_STATES[Number(rank) - 1]!,
    at: Number(at),
  };
}

const byRaise = (a: Sos, b: Sos) => a.raisedAt - b.raisedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function createRedisSosStore(redis: RedisClient, prefix: string): SosStore {
  const raise = defineScript(redis, RAISE);
  const receipt = defineScript(redis, RECEIPT);
  const resolve = defineScript(redis, RESOLVE);
  const claimResends = defineScript(redis, CLAIM_RESENDS);
  const claimWebhooks = defineScript(redis, CLAIM_WEBHOOKS);
  const sosKey = (id: string) => `${prefix}sos:${id}`;
  const receiptsKey = (id: string) => `${prefix}sos-receipts:${id}`;
  const openKey = (groupId: string) => `${prefix}sos-open:${groupId}`;
  const resendKey = `${prefix}sos-resend`;
  const webhookKey = `${prefix}sos-webhook`;

  /** The SOSes with these ids, in their order, those that are gone left out. */
  async function readAll(ids: readonly string[]): Promise<Sos[]> {
    if (ids.length === 0) return [];
    const multi = redis.multi();
    for (const id of ids) multi.hGetAll(sosKey(id)).hGetAll(receiptsKey(id));
    const replies = (await multi.exec()) as Array<Record<string, string>>;
    const found: Sos[] = [];
    for (let i = 0; i < ids.length; i++) {
      const fields = replies[2 * i]!;
      if (fields.core === undefined) continue;
      const receipts = Object.entries(replies[2 * i + 1]!)
        .map(([userId, value]) => parseReceipt(userId, value))
        .sort((a, b) => a.at - b.at || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
      found.push({
        ...(JSON.parse(fields.core) as Core),
        resolvedAt: fields.resolvedAt ? Number(fields.resolvedAt) : null,
        resolvedBy: fields.resolvedBy || null,
        sentCount: Number(fields.sentCount),
        receipts,
      });
    }
    return found;
  }
  const read = async (id: string) => (await readAll([id]))[0] ?? null;

  return {
    async raise(draft: SosDraft, resendAt) {
      const idempotency = `${draft.userId}\u0000${draft.clientSosId}`;
      const core: Core = {
        id: draft.id,
        groupId: draft.groupId,
        userId: draft.userId,
        username: draft.username,
        clientSosId: draft.clientSosId,
        note: draft.note,
        fix: draft.fix,
        raisedAt: draft.raisedAt,
      };
      const [isNew, id] = (await raise.run(
        [
          `${prefix}sos-idem:${draft.groupId}`,
          openKey(draft.groupId),
          sosKey(draft.id),
          resendKey,
          webhookKey,
        ],
        [
          idempotency,
          draft.userId,
          draft.id,
          JSON.stringify(core),
          draft.groupId,
          draft.raisedAt,
          resendAt ?? "",
        ],
      )) as [number, string];
      const sos = await read(id);
      // Only an SOS resolved and forgotten between the script and this read is missing.
      if (!sos) throw new Error(`SOS ${id} vanished while raised`);
      return { sos, isNew: isNew === 1 };
    },

    find: read,

    async active(groupIds) {
      if (groupIds.length === 0) return [];
      const multi = redis.multi();
      for (const groupId of groupIds) multi.hVals(openKey(groupId));
      const ids = ((await multi.exec()) as string[][]).flat();
      const open = await readAll(ids);
      return open.filter((sos) => sos.resolvedAt === null).sort(byRaise);
    },

    async receipt(sosId, next) {
      const outcome = (await receipt.run(
        [sosKey(sosId), receiptsKey(sosId), resendKey, webhookKey],
        [next.userId, sosReceiptRank(next.state), next.at, next.username, sosId],
      )) as number;
      if (outcome === -1) return null;
      const sos = await read(sosId);
      return sos && { sos, changed: outcome === 1 };
    },

    async resolve(sosId, by) {
      const outcome = (await resolve.run(
        [resendKey, webhookKey],
        [prefix, sosId, by.userId, by.at, by.keep],
      )) as number;
      if (outcome === -1) return null;
      const sos = await read(sosId);
      return sos && { sos, changed: outcome === 1 };
    },

    async claimResends(now, everyMs, maxSends) {
      const ids = (await claimResends.run(
        [resendKey],
        [prefix, now, everyMs, maxSends, CLAIM_BATCH],
      )) as string[];
      return readAll(ids);
    },

    async claimWebhooks(raisedBy) {
      return readAll((await claimWebhooks.run([webhookKey], [raisedBy, CLAIM_BATCH])) as string[]);
    },
  };
}
