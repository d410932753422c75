// Live location in Redis: per group, who shares (a set), each rider's latest
// position (a hash, with its device ts and its arrival time beside it), all in
// the group's slot; and one sorted set over every group of when positions
// arrived, from which stale riders are expired exactly once. A rider enters the
// sorted set before their first position is stored, and stays in it until
// forgotten: the sweep that finds a rider due reads the group's own arrival
// time, and puts back one who moved since. So a later position writes only
// the group's hashes (one script), and the sorted set lags behind them.
//
// Beside them, in the group's slot too, the nodes that hear the group's
// positions (a sorted set of node ids, each with the end of its lease): the
// script that records a position says whether a node other than the
// recording one is among them, and only then is the position published to
// the other nodes. With riders kept on their group's node, most positions
// need no publish at all.
import type { Position, RiderStopped } from "@convoy/shared";
import { createKeyedSerial } from "../../serial.ts";
import type { LocationStore, Recorded } from "../types.ts";
import { defineScript, type RedisClient } from "./client.ts";
import type { KeyNaming } from "./keys.ts";
import { createWriteWindow } from "./write-window.ts";

// KEYS: sharing, positions, device ts, arrived at, listeners. ARGV: user, json,
// ts, receivedAt, '1' when the rider's arrival was just written, this node.
// 0: not kept; 1: kept; 2: the rider has no stored position, and their arrival
// must be written first; 3: kept, and another node hears the group. Leases are
// read against Redis's own clock, so that nodes' clocks need not agree.
const RECORD = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[5] ~= '1' and redis.call('HEXISTS', KEYS[4], ARGV[1]) == 0 then return 2 end
local current = redis.call('HGET', KEYS[3], ARGV[1])
if current and tonumber(current) > tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[4])
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
for _, node in ipairs(redis.call('ZRANGE', KEYS[5], now, '+inf', 'BYSCORE', 'LIMIT', 0, 2)) do
  if node ~= ARGV[6] then return 3 end
end
return 1
`;

// KEYS: listeners. ARGV: this node, the lease (ms). Renews this node's lease,
// forgets the leases that ran out (nodes gone without a word), and lets the
// key itself go with the last lease.
const LISTEN = `
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
redis.call('ZADD', KEYS[1], now + ARGV[2], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
`;

// KEYS: arrivals. ARGV: cutoff. Takes at most 1000 due riders a call: whoever takes one, checks it.
const TAKE_DUE = `
local due = redis.call('ZRANGE', KEYS[1], '-inf', '(' .. ARGV[1], 'BYSCORE', 'LIMIT', 0, 1000)
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
`;

// KEYS: positions, device ts, arrived at. ARGV: user, cutoff.
// {'stopped'}, {'none'} (no position), or {'moved', when its position arrived, past the cutoff}.
// A position stored before arrival times were kept here has none, and is stale.
const FORGET_IF_STALE = `
local arrived = redis.call('HGET', KEYS[3], ARGV[1])
if arrived and tonumber(arrived) >= tonumber(ARGV[2]) then return {'moved', arrived} end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then return {'stopped'} end
return {'none'}
`;

/**
 * How long a node's word that it hears a group lasts unless renewed (it is
 * renewed every third of it): a node gone without a word stops costing the
 * others a publish after this. Renewal also restores a word that Redis lost
 * (a failover, a restart without persistence).
 */
const LISTEN_LEASE_MS = 60_000;

/** How long positions wait to be recorded together unless told (docs/scaling.md, "A longer window"). */
export const DEFAULT_POSITION_WINDOW_MS = 16;

export interface RedisLocationOptions {
  /** This node, as the listeners' sets name it. */
  nodeId: string;
  /**
   * Positions wait up to this long to be recorded together (see
   * write-window.ts), a few milliseconds on a position a second older than the
   * rider's next; their broadcasts, sent once they are recorded, leave together too.
   */
  windowMs?: number;
  leaseMs?: number;
  /** A renewal failed, told once a round (it is tried again at the next); other failures reach their callers. */
  onRenewalError?: (err: unknown, groupId: string) => void;
}

export function createRedisLocationStore(
  redis: RedisClient,
  { prefix, tag }: KeyNaming,
  {
    nodeId,
    windowMs = DEFAULT_POSITION_WINDOW_MS,
    leaseMs = LISTEN_LEASE_MS,
    onRenewalError = () => {},
  }: RedisLocationOptions,
): LocationStore & { close(): Promise<void> } {
  const record = defineScript(redis, RECORD);
  const listen = defineScript(redis, LISTEN);
  const takeDue = defineScript(redis, TAKE_DUE);
  const forgetIfStale = defineScript(redis, FORGET_IF_STALE);
  const sharingKey = (groupId: string) => `${prefix}sharing:${tag("g", groupId)}`;
  const positionsKey = (groupId: string) => `${prefix}positions:${tag("g", groupId)}`;
  const deviceTsKey = (groupId: string) => `${prefix}position-ts:${tag("g", groupId)}`;
  const arrivedKey = (groupId: string) => `${prefix}position-arrived:${tag("g", groupId)}`;
  const listenersKey = (groupId: string) => `${prefix}position-listeners:${tag("g", groupId)}`;
  const arrivalsKey = `${prefix}position-arrivals`;
  const rider = (groupId: string, userId: string) => `${groupId}\u0000${userId}`;

  /** Each rider's positions are recorded one after another (see record). */
  const recording = createKeyedSerial();
  const nextWindow = createWriteWindow(windowMs);
  async function recordNow(position: Position, receivedAt: number): Promise<Recorded> {
    await nextWindow();
    const keys = [
      sharingKey(position.groupId),
      positionsKey(position.groupId),
      deviceTsKey(position.groupId),
      arrivedKey(position.groupId),
      listenersKey(position.groupId),
    ];
    const args = (arrivalWritten: string) => [
      position.userId,
      JSON.stringify(position),
      position.ts,
      receivedAt,
      arrivalWritten,
      nodeId,
    ];
    let outcome = await record.run(keys, args("0"));
    if (outcome === 2) {
      // The arrival first: a position is never stored without one that will expire it.
      await redis.zAdd(
        arrivalsKey,
        { score: receivedAt, value: rider(position.groupId, position.userId) },
        { GT: true },
      );
      outcome = await record.run(keys, args("1"));
    }
    return outcome === 3 ? "kept-heard-elsewhere" : outcome === 1 ? "kept" : "refused";
  }

  /** The groups this node has said it listens to, renewed until it says otherwise. */
  const listening = new Set<string>();
  /** One group's word and its withdrawal in the order given, whatever a retry or a reload does. */
  const inOrder = createKeyedSerial();
  const renew = (groupId: string) =>
    inOrder(groupId, () => listen.run([listenersKey(groupId)], [nodeId, leaseMs]));
  let renewal: NodeJS.Timeout | undefined;
  const renewAll = () => {
    let told = false; // once a round: with Redis away, every group's renewal fails
    for (const groupId of listening)
      renew(groupId).catch((err: unknown) => {
        if (!told) onRenewalError(err, groupId);
        told = true;
      });
  };
  const unlisten = async (groupId: string) => {
    listening.delete(groupId);
    if (listening.size === 0 && renewal) {
      clearInterval(renewal);
      renewal = undefined;
    }
    await inOrder(groupId, () => redis.zRem(listenersKey(groupId), nodeId));
  };

  return {
    async setSharing(groupId, userId, sharing) {
      if (sharing) return { changed: (await redis.sAdd(sharingKey(groupId), userId)) === 1 };
      const [removed] = (await redis
        .multi()
        .sRem(sharingKey(groupId), userId)
        .hDel(positionsKey(groupId), userId)
        .hDel(deviceTsKey(groupId), userId)
        .hDel(arrivedKey(groupId), userId)
        .exec()) as [number];
      // Left behind by a crash, an arrival is taken later and finds no position.
      await redis.zRem(arrivalsKey, rider(groupId, userId));
      return { changed: removed === 1 };
    },
    async isSharing(groupId, userId) {
      return (await redis.sIsMember(sharingKey(groupId), userId)) === 1;
    },
    record(position, receivedAt) {
      // One rider's positions one after another: a first position takes two steps,
      // and a later one must not overtake it (stored first, the first would be refused as older).
      return recording(rider(position.groupId, position.userId), () => recordNow(position, receivedAt));
    },
    async riders(groupId) {
      return (await redis.hVals(positionsKey(groupId))).map((json) => JSON.parse(json) as Position);
    },
    async listen(groupId) {
      listening.add(groupId);
      if (!renewal) (renewal = setInterval(renewAll, leaseMs / 3)).unref();
      await renew(groupId);
    },
    unlisten,
    /** Stops renewing, and tells the other nodes that this one listens no more. */
    async close() {
      await Promise.allSettled([...listening].map(unlisten));
    },
    async expire(cutoff) {
      const due = (await takeDue.run([arrivalsKey], [cutoff])) as string[];
      const stopped: RiderStopped[] = [];
      for (const member of due) {
        const sep = member.indexOf("\u0000");
        const groupId = member.slice(0, sep);
        const userId = member.slice(sep + 1);
        const [outcome, arrived] = (await forgetIfStale.run(
          [positionsKey(groupId), deviceTsKey(groupId), arrivedKey(groupId)],
          [userId, cutoff],
        )) as [string, string?];
        if (outcome === "stopped") stopped.push({ groupId, userId });
        // Moved since its arrival was taken: due again from when it moved.
        if (outcome === "moved") {
          await redis.zAdd(arrivalsKey, { score: Number(arrived), value: member }, { GT: true });
        }
      }
      return stopped;
    },
  };
}
