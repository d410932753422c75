// Live location in Redis: per group, who shares (a set), each rider's latest
// position (a hash, with its device ts and its arrival time beside it), all in
// the group's slot; and one sorted set over every group of when positions
// arrived, from which stale riders are expired exactly once. A rider enters the
// sorted set before their first position is stored, and stays in it until
// forgotten: the sweep that finds a rider due reads the group's own arrival
// time, and puts back one who moved since.
//
// Positions are kept here first and written behind (docs/scaling.md, "Positions
// written behind"): a rider's position goes out as soon as this node has it,
// and each group's newest positions go to Redis together, once per flush
// period, in one script that checks sharing again. Per position, Redis is
// not asked anything: on 2 workers that saved 13% of the CPU per delivery.
//
// What per-position scripts used to answer is answered here instead:
// - whether the rider shares: asked of Redis at their first position on this
//   node and after any stop; a stop made on another node reaches this one as
//   a notice (Pub/Sub, about a millisecond), and failing that, the next flush
//   finds it;
// - whether another node hears the group (then a position is published to
//   the nodes): read once per group, kept by notices of nodes that start or
//   stop listening, and read again at every flush. A node that starts
//   listening has missed what this one sent before its notice: this node
//   sends it the group's latest positions then (onHeardAnew), so a position
//   sent after a subscribe is answered reaches it either way.
import type { Position, RiderStopped } from "@convoy/shared";
import { createKeyedSerial } from "../../serial.ts";
import type { LocationStore } from "../types.ts";
import { defineScript, type RedisClient } from "./client.ts";
import type { KeyNaming } from "./keys.ts";
import { createWriteWindow } from "./write-window.ts";

// 1 when a node other than `node` holds a lease in the group's listeners set,
// else 0; read against Redis's own clock, so that nodes' clocks need not agree.
const HEARD_ELSEWHERE = `
local function heard_elsewhere(listeners, node)
  local time = redis.call('TIME')
  local now = time[1] * 1000 + math.floor(time[2] / 1000)
  for _, other in ipairs(redis.call('ZRANGE', listeners, now, '+inf', 'BYSCORE', 'LIMIT', 0, 2)) do
    if other ~= node then return 1 end
  end
  return 0
end
`;

// KEYS: listeners. ARGV: this node.
const OTHER_LISTENS = `${HEARD_ELSEWHERE}
return heard_elsewhere(KEYS[1], ARGV[1])
`;

// KEYS: sharing, positions, device ts, arrived at, listeners. ARGV: this node,
// then five for each rider: user, json, ts, receivedAt, '1' when the rider's
// arrival was just written. Returns whether another node hears the group
// (HEARD_ELSEWHERE), then for each rider 0: no longer sharing; 1: written (or a
// newer one was there, from another device); 2: the rider has no stored
// position, and their arrival must be written first.
const FLUSH = `${HEARD_ELSEWHERE}
local outcomes = {}
for i = 2, #ARGV, 5 do
  local user = ARGV[i]
  local outcome = 1
  if redis.call('SISMEMBER', KEYS[1], user) == 0 then
    outcome = 0
  elseif ARGV[i + 4] ~= '1' and redis.call('HEXISTS', KEYS[4], user) == 0 then
    outcome = 2
  else
    local current = redis.call('HGET', KEYS[3], user)
    if not current or tonumber(current) <= tonumber(ARGV[i + 2]) then
      redis.call('HSET', KEYS[2], user, ARGV[i + 1])
      redis.call('HSET', KEYS[3], user, ARGV[i + 2])
      redis.call('HSET', KEYS[4], user, ARGV[i + 3])
    end
  end
  outcomes[#outcomes + 1] = outcome
end
table.insert(outcomes, 1, heard_elsewhere(KEYS[5], ARGV[1]))
return outcomes
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

/** How long positions wait to leave together unless told (docs/scaling.md, "A longer window"). */
export const DEFAULT_POSITION_WINDOW_MS = 16;

/**
 * How often a node writes its riders' newest positions to Redis unless told
 * (docs/scaling.md, "Positions written behind"): what another node's
 * subscriber finds on subscribing is at most this old, and a stop whose
 * notice was lost is found at most this late.
 */
export const DEFAULT_POSITION_FLUSH_MS = 2000;

/**
 * The nodes' word to each other about positions (a Pub/Sub channel): a node
 * starts or stops hearing a group, a rider stops sharing. Without it (one
 * node), a store learns these at its next flush.
 */
export interface PositionNotices {
  publish(message: string): Promise<unknown>;
  subscribe(onMessage: (message: string) => void): Promise<unknown>;
}

type Notice =
  | { type: "listen" | "unlisten"; node: string; groupId: string }
  | { type: "stop"; node: string; groupId: string; userId: string }
  | { type: "expired"; node: string; cutoff: number; riders: RiderStopped[] };

export interface RedisLocationOptions {
  /** This node, as the listeners' sets name it. */
  nodeId: string;
  /**
   * Positions wait up to this long before they are answered (see
   * write-window.ts), a few milliseconds on a position a second older than the
   * rider's next, so that their broadcasts leave together.
   */
  windowMs?: number;
  /** How often this node's newest positions are written to Redis. */
  flushMs?: number;
  leaseMs?: number;
  notices?: PositionNotices;
  /** A renewal or a flush failed, told once a round (both are tried again); other failures reach their callers. */
  onBackgroundError?: (err: unknown, what: string) => void;
}

/** This node's view of one rider of one group. */
interface Rider {
  /** Their newest position received here, and when; null when there is none to keep. */
  position: Position | null;
  receivedAt: number;
  /** The position is not in Redis yet. */
  dirty: boolean;
  /** Whether they share, as this node last learned; false sends the next position to Redis to ask. */
  sharing: boolean;
  /** Stops heard so far: a position that one overtook is not sent. */
  stops: number;
  /** Stops and starts so far: a read of sharing that one overtook is not believed. */
  changes: number;
}

/** Whether another node hears a group, as this node knows it. */
interface Hearing {
  elsewhere: boolean;
  /** A read under way; its answer counts only if no notice came meanwhile. */
  reading: Promise<void> | null;
  notices: number;
}

export function createRedisLocationStore(
  redis: RedisClient,
  { prefix, tag }: KeyNaming,
  {
    nodeId,
    windowMs = DEFAULT_POSITION_WINDOW_MS,
    flushMs = DEFAULT_POSITION_FLUSH_MS,
    leaseMs = LISTEN_LEASE_MS,
    notices,
    onBackgroundError = () => {},
  }: RedisLocationOptions,
): LocationStore &
  Required<Pick<LocationStore, "onHeardAnew">> & { ready: Promise<void>; close(): Promise<void> } {
  const flushScript = defineScript(redis, FLUSH);
  const otherListens = defineScript(redis, OTHER_LISTENS);
  const listen = defineScript(redis, LISTEN);
  const takeDue = defineScript(redis, TAKE_DUE);
  const forgetIfStale = defineScript(redis, FORGET_IF_STALE);
  const sharingKey = (groupId: string) => `${prefix}sharing:${tag("g", groupId)}`;
  const positionsKey = (groupId: string) => `${prefix}positions:${tag("g", groupId)}`;
  const deviceTsKey = (groupId: string) => `${prefix}position-ts:${tag("g", groupId)}`;
  const arrivedKey = (groupId: string) => `${prefix}position-arrived:${tag("g", groupId)}`;
  const listenersKey = (groupId: string) => `${prefix}position-listeners:${tag("g", groupId)}`;
  const arrivalsKey = `${prefix}position-arrivals`;
  const member = (groupId: string, userId: string) => `${groupId}\u0000${userId}`;

  /** groupId → userId → this node's view of the rider. */
  const groups = new Map<string, Map<string, Rider>>();
  const riderOf = (groupId: string, userId: string): Rider => {
    let riders = groups.get(groupId);
    if (!riders) groups.set(groupId, (riders = new Map<string, Rider>()));
    let rider = riders.get(userId);
    if (!rider) {
      rider = { position: null, receivedAt: 0, dirty: false, sharing: false, stops: 0, changes: 0 };
      riders.set(userId, rider);
    }
    return rider;
  };
  /**
   * groupId → userId → the newest position heard from another node, and when
   * (this process's clock): for groups this node listens to, until that node
   * has surely written it (two flush periods), Redis having it then.
   */
  const fromElsewhere = new Map<string, Map<string, { position: Position; at: number }>>();
  const heardLately = (at: number) => Date.now() - at < 2 * flushMs;

  /** Sharing stopped (here, elsewhere, or found by a flush): the position goes, the next one asks Redis. */
  const stopped = (groupId: string, userId: string) => {
    fromElsewhere.get(groupId)?.delete(userId);
    const rider = groups.get(groupId)?.get(userId);
    if (!rider) return;
    rider.sharing = false;
    rider.position = null;
    rider.dirty = false;
    rider.stops++;
    rider.changes++;
  };
  /** Asks Redis whether the rider shares, and believes it unless a stop came meanwhile. */
  async function readSharing(groupId: string, userId: string): Promise<boolean> {
    const rider = groups.get(groupId)?.get(userId);
    const changesBefore = rider?.changes;
    const sharing = (await redis.sIsMember(sharingKey(groupId), userId)) === 1;
    if (rider && rider.changes === changesBefore) rider.sharing = sharing;
    return sharing;
  }

  /** Expired on some node: what this one has of the rider goes too, unless newer than the cutoff. */
  const forgetBefore = (groupId: string, userId: string, cutoff: number) => {
    fromElsewhere.get(groupId)?.delete(userId);
    const rider = groups.get(groupId)?.get(userId);
    if (rider && !rider.dirty && rider.receivedAt < cutoff) groups.get(groupId)!.delete(userId);
  };

  const hearing = new Map<string, Hearing>();
  const readHearing = (groupId: string, entry: Hearing) => {
    const noticesBefore = entry.notices;
    entry.reading = otherListens
      .run([listenersKey(groupId)], [nodeId])
      .then(
        (elsewhere) => {
          if (entry.notices === noticesBefore) entry.elsewhere = elsewhere === 1;
        },
        () => {
          // Read again at the group's next position; this one is published meanwhile.
          if (hearing.get(groupId) === entry) hearing.delete(groupId);
        },
      )
      .finally(() => {
        entry.reading = null;
      });
    return entry.reading;
  };
  async function heardElsewhere(groupId: string): Promise<boolean> {
    let entry = hearing.get(groupId);
    if (!entry) {
      // Until Redis answers (or when a notice overtakes its answer), published: a publish too many costs little.
      hearing.set(groupId, (entry = { elsewhere: true, reading: null, notices: 0 }));
      await readHearing(groupId, entry);
    } else if (entry.reading) {
      await entry.reading;
    }
    return entry.elsewhere;
  }

  let heardAnew: (groupId: string, latest: Position[]) => void = () => {};
  const latestHere = (groupId: string): Position[] => {
    const latest: Position[] = [];
    for (const rider of groups.get(groupId)?.values() ?? [])
      if (rider.sharing && rider.position) latest.push({ ...rider.position });
    return latest;
  };
  let closed = false;
  const onNotice = (message: string) => {
    if (closed) return;
    let notice: Notice;
    try {
      notice = JSON.parse(message) as Notice;
    } catch {
      return;
    }
    if (notice.node === nodeId) return;
    if (notice.type === "expired") {
      for (const { groupId, userId } of notice.riders) forgetBefore(groupId, userId, notice.cutoff);
      return;
    }
    const entry = hearing.get(notice.groupId);
    if (notice.type === "stop") {
      stopped(notice.groupId, notice.userId);
    } else if (notice.type === "listen") {
      if (entry) {
        entry.elsewhere = true;
        entry.notices++;
      }
      // What this node sent before it knew: the new listener may have missed it.
      const latest = latestHere(notice.groupId);
      if (latest.length > 0) heardAnew(notice.groupId, latest);
    } else if (entry) {
      // Other nodes may still listen: asked again at the group's next position.
      entry.notices++;
      hearing.delete(notice.groupId);
    }
  };
  const notify = (notice: Notice) => notices?.publish(JSON.stringify(notice));
  const ready = notices ? notices.subscribe(onNotice).then(() => {}) : Promise.resolve();

  const nextWindow = createWriteWindow(windowMs);
  let flushTimer: NodeJS.Timeout | undefined;
  const scheduleFlush = () => {
    if (flushTimer || closed) return;
    flushTimer = setTimeout(() => {
      flushTimer = undefined;
      flush().catch((err: unknown) => onBackgroundError(err, "writing positions to Redis"));
    }, flushMs);
    flushTimer.unref();
  };

  /** Writes one group's positions not yet in Redis, and refreshes whether another node hears it. */
  async function flushGroup(groupId: string, riders: Map<string, Rider>): Promise<void> {
    const batch = [...riders].filter(([, rider]) => rider.dirty && rider.position);
    for (const [, rider] of batch) rider.dirty = false;
    const written = batch.map(([userId, rider]) => ({
      userId,
      rider,
      position: rider.position!,
      changes: rider.changes,
    }));
    // No longer sharing, says Redis: unless sharing changed here since (on again, a newer position).
    const refused = ({ userId, rider, position, changes }: (typeof written)[number]) => {
      if (rider.changes === changes && rider.position === position) stopped(groupId, userId);
    };
    const keys = [
      sharingKey(groupId),
      positionsKey(groupId),
      deviceTsKey(groupId),
      arrivedKey(groupId),
      listenersKey(groupId),
    ];
    const run = async (items: typeof written, arrivalWritten: string) => {
      const args = [nodeId];
      for (const { userId, rider, position } of items)
        args.push(
          userId,
          JSON.stringify(position),
          String(position.ts),
          String(rider.receivedAt),
          arrivalWritten,
        );
      const entry = hearing.get(groupId);
      const noticesBefore = entry?.notices;
      const [elsewhere, ...outcomes] = (await flushScript.run(keys, args)) as number[];
      if (entry && entry.notices === noticesBefore && !entry.reading) entry.elsewhere = elsewhere === 1;
      return outcomes;
    };
    try {
      let outcomes = await run(written, "0");
      written.forEach((item, i) => outcomes[i] === 0 && refused(item));
      const first = written.filter((_, i) => outcomes[i] === 2);
      if (first.length === 0) return;
      // The arrival first: a position is never stored without one that will expire it.
      await redis.zAdd(
        arrivalsKey,
        first.map(({ userId, rider }) => ({ score: rider.receivedAt, value: member(groupId, userId) })),
        { GT: true },
      );
      outcomes = await run(first, "1");
      first.forEach((item, i) => outcomes[i] === 0 && refused(item));
    } catch (err) {
      // Tried again at the next flush, unless a newer position replaced it (and is due itself).
      for (const { rider, position } of written) if (rider.position === position) rider.dirty = true;
      scheduleFlush();
      throw err;
    }
  }
  function flush(): Promise<void> {
    const due: Promise<void>[] = [];
    for (const [groupId, riders] of groups) {
      for (const rider of riders.values())
        if (rider.dirty) {
          due.push(flushGroup(groupId, riders));
          break;
        }
    }
    return Promise.all(due).then(() => {});
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
        if (!told) onBackgroundError(err, "renewing this node's lease on a group's positions");
        told = true;
      });
  };
  const unlisten = async (groupId: string) => {
    listening.delete(groupId);
    fromElsewhere.delete(groupId);
    if (listening.size === 0 && renewal) {
      clearInterval(renewal);
      renewal = undefined;
    }
    await inOrder(groupId, () => redis.zRem(listenersKey(groupId), nodeId));
    await notify({ type: "unlisten", node: nodeId, groupId });
  };

  return {
    ready,
    async setSharing(groupId, userId, sharing) {
      if (sharing) {
        const changed = (await redis.sAdd(sharingKey(groupId), userId)) === 1;
        const rider = groups.get(groupId)?.get(userId);
        if (rider) {
          rider.sharing = true;
          rider.changes++;
        }
        return { changed };
      }
      stopped(groupId, userId);
      const [removed] = (await redis
        .multi()
        .sRem(sharingKey(groupId), userId)
        .hDel(positionsKey(groupId), userId)
        .hDel(deviceTsKey(groupId), userId)
        .hDel(arrivedKey(groupId), userId)
        .exec()) as [number];
      // Left behind by a crash, an arrival is taken later and finds no position.
      await redis.zRem(arrivalsKey, member(groupId, userId));
      await notify({ type: "stop", node: nodeId, groupId, userId });
      return { changed: removed === 1 };
    },
    isSharing: readSharing,
    async record(position, receivedAt) {
      const { groupId, userId } = position;
      const rider = riderOf(groupId, userId);
      if (!rider.sharing) {
        await readSharing(groupId, userId);
        // Forgotten meanwhile by a sweep (rare): refused, the rider's next position asks again.
        if (groups.get(groupId)?.get(userId) !== rider) return "refused";
      }
      // Another position may have come while Redis was asked.
      if (!rider.sharing || (rider.position && rider.position.ts > position.ts)) return "refused";
      rider.position = position;
      rider.receivedAt = receivedAt;
      rider.dirty = true;
      scheduleFlush();
      const stopsBefore = rider.stops;
      await nextWindow();
      const elsewhere = await heardElsewhere(groupId);
      // Stopped while it waited: it must not go out after the stop's notice.
      if (rider.stops !== stopsBefore) return "refused";
      return elsewhere ? "kept-heard-elsewhere" : "kept";
    },
    async riders(groupId) {
      const byUser = new Map<string, Position>();
      for (const json of await redis.hVals(positionsKey(groupId))) {
        const position = JSON.parse(json) as Position;
        byUser.set(position.userId, position);
      }
      // Newer here than in Redis until the next flushes: heard from other nodes, or sent here.
      for (const [userId, { position, at }] of fromElsewhere.get(groupId) ?? []) {
        if (!heardLately(at)) continue;
        const stored = byUser.get(userId);
        if (!stored || stored.ts <= position.ts) byUser.set(userId, { ...position });
      }
      for (const [userId, rider] of groups.get(groupId) ?? []) {
        const stored = byUser.get(userId);
        if (rider.sharing && rider.position && (!stored || stored.ts <= rider.position.ts))
          byUser.set(userId, { ...rider.position });
      }
      return [...byUser.values()];
    },
    onHeardAnew(listener) {
      heardAnew = listener;
    },
    heard(position) {
      if (!listening.has(position.groupId)) return;
      let heardHere = fromElsewhere.get(position.groupId);
      if (!heardHere)
        fromElsewhere.set(
          position.groupId,
          (heardHere = new Map<string, { position: Position; at: number }>()),
        );
      const known = heardHere.get(position.userId);
      if (!known || known.position.ts <= position.ts)
        heardHere.set(position.userId, { position, at: Date.now() });
    },
    async listen(groupId) {
      listening.add(groupId);
      if (!renewal) (renewal = setInterval(renewAll, leaseMs / 3)).unref();
      await renew(groupId);
      await notify({ type: "listen", node: nodeId, groupId });
    },
    unlisten,
    /** Writes what is not in Redis yet, stops renewing, and tells the other nodes that this one listens no more. */
    async close() {
      closed = true;
      clearTimeout(flushTimer);
      flushTimer = undefined;
      const [flushed] = await Promise.allSettled([flush(), ...[...listening].map(unlisten)]);
      if (flushed.status === "rejected")
        onBackgroundError(flushed.reason, "writing positions to Redis on close");
    },
    async expire(asked) {
      // This node's newest arrivals first: a rider who moved here is not due.
      await flush();
      // Other nodes write theirs up to a flush period late: a rider is due that much later.
      const cutoff = notices ? asked - flushMs : asked;
      const due = (await takeDue.run([arrivalsKey], [cutoff])) as string[];
      const gone: RiderStopped[] = [];
      for (const taken of due) {
        const sep = taken.indexOf("\u0000");
        const groupId = taken.slice(0, sep);
        const userId = taken.slice(sep + 1);
        const [outcome, arrived] = (await forgetIfStale.run(
          [positionsKey(groupId), deviceTsKey(groupId), arrivedKey(groupId)],
          [userId, cutoff],
        )) as [string, string?];
        if (outcome === "stopped") {
          gone.push({ groupId, userId });
          forgetBefore(groupId, userId, cutoff);
        }
        // Moved since its arrival was taken: due again from when it moved.
        if (outcome === "moved") {
          await redis.zAdd(arrivalsKey, { score: Number(arrived), value: taken }, { GT: true });
        }
      }
      // The other nodes' subscribers must not find them either.
      if (gone.length > 0) await notify({ type: "expired", node: nodeId, cutoff, riders: gone });
      // Riders quiet here since the cutoff are forgotten here too (asked again if they come back).
      for (const heardHere of fromElsewhere.values())
        for (const [userId, { at }] of heardHere) if (!heardLately(at)) heardHere.delete(userId);
      for (const [groupId, riders] of groups) {
        for (const [userId, rider] of riders)
          if (!rider.dirty && rider.receivedAt < cutoff) riders.delete(userId);
        if (riders.size === 0) {
          groups.delete(groupId);
          hearing.delete(groupId);
        }
      }
      return gone;
    },
  };
}
