// SOS alerts in Redis. Each SOS is a hash: `core`, the JSON of what was raised
// (never decoded by a script: Lua's cjson refuses some escapes that JSON
// allows, and the note is user text), beside the fields that change. Receipts
// are a hash per SOS, user → "rank:at:username" (usernames are plain ASCII).
// An SOS's two keys share its slot; which SOS is open per user, the
// idempotency keys and the resolved ones are in the group's slot. Two sorted
// sets over every group (each in its own slot) say which SOS is due for a
// re-send and for the webhook; the scripts claim from them, so one node wins
// each. Steps that span slots go in an order whose crash leaves, at worst, an
// alert too many, never an SOS that cannot be seen, alerted or raised again.
import { SOS_RECEIPT_STATES, sosReceiptRank, type Sos, type SosReceipt } from "@convoy/shared";
import type { SosDraft, SosStore } from "../types.ts";
import { defineScript, type RedisClient } from "./client.ts";
import type { KeyNaming } from "./keys.ts";
import type { Replication } from "./replication.ts";

// KEYS: idempotency hash, open hash (the group's). ARGV: idempotency key, user, id.
// {1, id} when claimed; {0, id, 'idem' | 'open'} with the SOS that holds it.
const CLAIM_OPEN = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {0, existing, 'idem'} end
existing = redis.call('HGET', KEYS[2], ARGV[2])
if existing then return {0, existing, 'open'} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return {1, ARGV[3]}
`;

// KEYS: open hash. ARGV: user, id. Frees the user's place when this SOS holds it.
const RELEASE_OPEN = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`;

// KEYS: the SOS, its receipts. ARGV: user, rank, at, username.
// -1: no such SOS; 0: unchanged; 1: moved forward.
const RECEIPT = `
local resolvedAt = redis.call('HGET', KEYS[1], 'resolvedAt')
if not resolvedAt then return -1 end
if resolvedAt ~= '' then return 0 end
local current = redis.call('HGET', KEYS[2], ARGV[1])
if current and tonumber(string.match(current, '^(%d+)')) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. ':' .. ARGV[3] .. ':' .. ARGV[4])
if ARGV[2] == '3' then redis.call('HSET', KEYS[1], 'acknowledged', '1') end
return 1
`;

// KEYS: the SOS. ARGV: user, at. {-1}: no such SOS; {0}: resolved already; {1, group, raiser}.
const RESOLVE = `
local resolvedAt = redis.call('HGET', KEYS[1], 'resolvedAt')
if not resolvedAt then return {-1} end
if resolvedAt ~= '' then return {0} end
redis.call('HSET', KEYS[1], 'resolvedAt', ARGV[2], 'resolvedBy', ARGV[1])
return {1, redis.call('HGET', KEYS[1], 'group'), redis.call('HGET', KEYS[1], 'user')}
`;

// KEYS: open hash, resolved set (the group's). ARGV: raiser, id, at, keep.
// Returns the resolved SOSes past `keep`, taken off the set: the caller forgets them.
const FILE_RESOLVED = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[2])
local keep = tonumber(ARGV[4])
local count = redis.call('ZCARD', KEYS[2])
if count <= keep then return {} end
local old = redis.call('ZRANGE', KEYS[2], 0, count - keep - 1)
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, count - keep - 1)
return old
`;

// KEYS: re-send set. ARGV: now, everyMs, batch. Claims the due ones: their next alert moves on.
const CLAIM_RESENDS = `
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), id) end
return due
`;

// KEYS: the SOS. The new sentCount; -1 when it is gone, acknowledged or resolved (no more alerts).
const COUNT_SEND = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HGET', KEYS[1], 'acknowledged') == '1' or redis.call('HGET', KEYS[1], 'resolvedAt') ~= '' then
  return -1
end
return redis.call('HINCRBY', KEYS[1], 'sentCount', 1)
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

export function createRedisSosStore(
  redis: RedisClient,
  { prefix, tag }: KeyNaming,
  replication: Replication,
): SosStore {
  const claimOpen = defineScript(redis, CLAIM_OPEN);
  const releaseOpen = defineScript(redis, RELEASE_OPEN);
  const receipt = defineScript(redis, RECEIPT);
  const resolve = defineScript(redis, RESOLVE);
  const fileResolved = defineScript(redis, FILE_RESOLVED);
  const claimResends = defineScript(redis, CLAIM_RESENDS);
  const countSend = defineScript(redis, COUNT_SEND);
  const claimWebhooks = defineScript(redis, CLAIM_WEBHOOKS);
  const sosKey = (id: string) => `${prefix}sos:${tag("s", id)}`;
  const receiptsKey = (id: string) => `${prefix}sos-receipts:${tag("s", id)}`;
  const openKey = (groupId: string) => `${prefix}sos-open:${tag("g", groupId)}`;
  const idempotencyKey = (groupId: string) => `${prefix}sos-idem:${tag("g", groupId)}`;
  const resolvedKey = (groupId: string) => `${prefix}sos-resolved:${tag("g", groupId)}`;
  const resendKey = `${prefix}sos-resend`;
  const webhookKey = `${prefix}sos-webhook`;

  interface Stored {
    sos: Sos;
    /** No more alerts: someone acknowledged it. */
    acknowledged: boolean;
  }

  /** The SOSes with these ids, in their order, those that are gone left out. */
  async function readAll(ids: readonly string[]): Promise<Stored[]> {
    // Per SOS (its two keys share a slot), sent together: on a cluster SOSes live in different slots.
    const replies = await Promise.all(
      ids.map(
        async (id) =>
          (await redis.multi().hGetAll(sosKey(id)).hGetAll(receiptsKey(id)).exec()) as Array<
            Record<string, string>
          >,
      ),
    );
    const found: Stored[] = [];
    for (const [fields, receiptFields] of replies) {
      if (fields?.core === undefined) continue;
      const receipts = Object.entries(receiptFields!)
        .map(([userId, value]) => parseReceipt(userId, value))
        .sort((a, b) => a.at - b.at || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
      found.push({
        sos: {
          ...(JSON.parse(fields.core) as Core),
          resolvedAt: fields.resolvedAt ? Number(fields.resolvedAt) : null,
          resolvedBy: fields.resolvedBy || null,
          sentCount: Number(fields.sentCount),
          receipts,
        },
        acknowledged: fields.acknowledged === "1",
      });
    }
    return found;
  }
  const read = async (id: string) => (await readAll([id]))[0]?.sos ?? null;
  /** What a claim may alert: neither resolved nor acknowledged (a crash may leave such an id due). */
  const alertable = (stored: Stored[]) =>
    stored.filter(({ sos, acknowledged }) => sos.resolvedAt === null && !acknowledged).map(({ sos }) => sos);

  const unschedule = (id: string) => Promise.all([redis.zRem(resendKey, id), redis.zRem(webhookKey, id)]);

  /** Forgets a resolved SOS: its idempotency key first, so that no key ever names a missing SOS. */
  async function forget(groupId: string, id: string): Promise<void> {
    const idempotency = await redis.hGet(sosKey(id), "idem");
    if (idempotency) await redis.hDel(idempotencyKey(groupId), idempotency);
    await redis.del([sosKey(id), receiptsKey(id)]);
  }

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
      // 1. The SOS (its slot); 2. its alerts scheduled; 3. the group's claim (one open SOS per
      // user, one per idempotency key). A crash before 3 leaves an SOS nobody sees that is still
      // alerted: for an SOS, one alert too many beats one too few.
      await redis.hSet(sosKey(draft.id), {
        core: JSON.stringify(core),
        group: draft.groupId,
        user: draft.userId,
        idem: idempotency,
        sentCount: 1,
        resolvedAt: "",
        resolvedBy: "",
      });
      await Promise.all([
        resendAt === null ? null : redis.zAdd(resendKey, { score: resendAt, value: draft.id }),
        redis.zAdd(webhookKey, { score: draft.raisedAt, value: draft.id }),
      ]);
      const claimKeys = [idempotencyKey(draft.groupId), openKey(draft.groupId)];
      const claimArgs = [idempotency, draft.userId, draft.id];
      const claim = async () => (await claimOpen.run(claimKeys, claimArgs)) as [number, string, string?];
      const [first, holder, heldBy] = await claim();
      let [claimed, id] = [first, holder];
      let sos = claimed === 1 ? null : await read(id);
      if (claimed !== 1 && heldBy === "open" && (sos === null || sos.resolvedAt !== null)) {
        // Its place is held by an SOS resolved (or forgotten) without freeing it: a crash between
        // resolving's steps. Free it and claim again, once.
        await releaseOpen.run([openKey(draft.groupId)], [draft.userId, id]);
        [claimed, id] = await claim();
        sos = claimed === 1 ? null : await read(id);
      }
      if (claimed !== 1) {
        await unschedule(draft.id);
        await redis.del(sosKey(draft.id));
      }
      // Not in SPEC §5's list, but an SOS lost in a failover would never be alerted again.
      await replication.confirm(sosKey(id), openKey(draft.groupId), resendKey, webhookKey);
      sos ??= await read(id);
      // Only an SOS resolved and forgotten between the claim and this read is missing.
      if (!sos) throw new Error(`SOS ${id} vanished while raised`);
      return { sos, isNew: claimed === 1 };
    },

    find: read,

    async active(groupIds) {
      const ids = (await Promise.all(groupIds.map((groupId) => redis.hVals(openKey(groupId))))).flat();
      const open = await readAll(ids);
      return open
        .map(({ sos }) => sos)
        .filter((sos) => sos.resolvedAt === null)
        .sort(byRaise);
    },

    async receipt(sosId, next) {
      const rank = sosReceiptRank(next.state);
      const outcome = (await receipt.run(
        [sosKey(sosId), receiptsKey(sosId)],
        [next.userId, rank, next.at, next.username],
      )) as number;
      if (outcome === -1) return null;
      // Acknowledged: no more alerts (a crash before this is caught by the claims, which skip it).
      if (outcome === 1 && rank === 3) await unschedule(sosId);
      const sos = await read(sosId);
      return sos && { sos, changed: outcome === 1 };
    },

    async resolve(sosId, by) {
      // 1. The SOS (its slot), 2. no more alerts, 3. filed in its group, 4. the oldest forgotten.
      const [outcome, groupId, raiser] = (await resolve.run([sosKey(sosId)], [by.userId, by.at])) as [
        number,
        string?,
        string?,
      ];
      if (outcome === -1) return null;
      if (outcome === 1 && groupId !== undefined && raiser !== undefined) {
        await unschedule(sosId);
        const old = (await fileResolved.run(
          [openKey(groupId), resolvedKey(groupId)],
          [raiser, sosId, by.at, by.keep],
        )) as string[];
        for (const id of old) await forget(groupId, id);
      }
      const sos = await read(sosId);
      return sos && { sos, changed: outcome === 1 };
    },

    async claimResends(now, everyMs, maxSends) {
      const due = (await claimResends.run([resendKey], [now, everyMs, CLAIM_BATCH])) as string[];
      const claimed: string[] = [];
      for (const id of due) {
        const sent = Number(await countSend.run([sosKey(id)], []));
        if (sent === -1 || sent >= maxSends) await redis.zRem(resendKey, id);
        if (sent !== -1) claimed.push(id);
      }
      return alertable(await readAll(claimed));
    },

    async claimWebhooks(raisedBy) {
      const due = (await claimWebhooks.run([webhookKey], [raisedBy, CLAIM_BATCH])) as string[];
      return alertable(await readAll(due));
    },
  };
}
