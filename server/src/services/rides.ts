// Rides: start one for a group, join it (sharing on, the consent recorded with
// the ride), leave it, end it for everyone at once (sharing off). Positions of
// riders feed their thinned trails; a periodic check ends rides at their
// planned end or when idle, and raises and clears gap alerts. Every change
// comes back as a notice for the transport to deliver to the group's members.
import { randomUUID } from "node:crypto";
import type {
  Position,
  Ride,
  RideAlert,
  RideAlertCleared,
  RideEndReason,
  RiderStopped,
  RideState,
  RiderTrail,
  StartRide,
  User,
} from "@convoy/shared";
import type { Clock } from "../clock.ts";
import { AppError } from "../errors.ts";
import type { Limits } from "../limits.ts";
import { createGapWatch } from "../rides/gaps.ts";
import { Trail } from "../rides/trail.ts";
import { createTrailReader } from "../rides/trail-reader.ts";
import { createKeyedSerial } from "../serial.ts";
import type { GroupStore, RideStore, StoredTrailPoint } from "../stores/types.ts";
import type { Groups } from "./groups.ts";
import type { Locations } from "./locations.ts";

export type RideNotice =
  | { type: "update"; ride: Ride; memberIds: string[] }
  | { type: "ended"; ride: Ride; memberIds: string[]; stopped: RiderStopped[] }
  | { type: "alert"; alert: RideAlert; memberIds: string[] }
  | { type: "alert-cleared"; cleared: RideAlertCleared; memberIds: string[] };

/** A notice before its recipients are known. */
type Change = RideNotice extends infer N ? (N extends RideNotice ? Omit<N, "memberIds"> : never) : never;

type RideLimits = Pick<Limits, "ridesKept" | "trailPoints" | "rideIdleMs" | "rideCheckMs">;

/** How long this node trusts what it read about a group's ride under way (another node may start or end it). */
const ACTIVE_CACHE_MS = 2000;
/** A rider standing still still counts as activity, written at most this often. */
const TOUCH_EVERY_MS = 30_000;
/** With other nodes: a trail this node has not fed for this long is dropped from its memory (read again when needed). */
const TRAIL_IDLE_MS = 60_000;

interface FedTrail {
  trail: Trail;
  fedAt: number;
  touchedAt: number;
}

const compact = (rideTrails: Map<string, StoredTrailPoint[]>): RiderTrail[] =>
  [...rideTrails].map(([userId, points]) => ({
    userId,
    points: points.map((p) => [p.lat, p.lng, p.ts]),
    distanceM: Math.round(points.at(-1)?.along ?? 0),
  }));

export function createRides(
  store: RideStore,
  groupStore: GroupStore,
  groups: Groups,
  locations: Locations,
  clock: Clock,
  limits: RideLimits,
  /** Other nodes feed trails too (Redis): this node's memory holds only some. */
  crossNode: boolean,
) {
  const activeCache = new Map<string, { ride: Ride | null; readAt: number }>();
  const fed = new Map<string, FedTrail>();
  const fedKey = (rideId: string, userId: string) => `${rideId}\u0000${userId}`;
  /** Rides whose stored trails this node (alone, embedded) has read into `fed`. */
  const measuredHere = new Set<string>();
  /** Each rider's positions are added to their trail one after another. */
  const observing = createKeyedSerial();
  /** With other nodes: reads on from what the last check read of each ride's trails. */
  const storedTrails = createTrailReader((rideId, from) => store.trails(rideId, from));

  /**
   * The group's ride under way as read less than ACTIVE_CACHE_MS ago (null: none); undefined: not read since.
   * Alone (embedded), this node makes every change to its rides and remembers each: what it read stays true.
   */
  function recentlyActiveIn(groupId: string): Ride | null | undefined {
    const cached = activeCache.get(groupId);
    return cached && (!crossNode || clock.now() - cached.readAt < ACTIVE_CACHE_MS) ? cached.ride : undefined;
  }
  async function activeIn(groupId: string): Promise<Ride | null> {
    const recent = recentlyActiveIn(groupId);
    if (recent !== undefined) return recent;
    const before = activeCache.get(groupId);
    const ride = await store.activeIn(groupId);
    // A ride this node started or ended meanwhile is newer than what the read saw.
    if (activeCache.get(groupId) === before) activeCache.set(groupId, { ride, readAt: clock.now() });
    return ride;
  }
  const remember = (ride: Ride) =>
    activeCache.set(ride.groupId, { ride: ride.endedAt === null ? ride : null, readAt: clock.now() });

  /** NOT_FOUND for an unknown ride, FORBIDDEN for one of a group the user is not in. */
  async function requireRide(rideId: string, user: User): Promise<Ride> {
    const ride = await store.find(rideId);
    if (!ride) throw new AppError("NOT_FOUND", "no such ride");
    await groups.requireMember(ride.groupId, user.id);
    return ride;
  }

  async function stateOf(ride: Ride): Promise<RideState> {
    const [trails, alerts] = await Promise.all([store.trails(ride.id), store.alerts(ride.id)]);
    return { ride, trails: compact(trails), alerts };
  }

  async function finish(ride: Ride, reason: RideEndReason): Promise<RideNotice | null> {
    const ended = await store.end(ride.id, reason, clock.now());
    if (!ended) return null;
    remember(ended);
    for (const key of fed.keys()) if (key.startsWith(`${ride.id}\u0000`)) fed.delete(key);
    measuredHere.delete(ride.id);
    // Sharing stops at once for every rider still in it (those who left earlier chose for themselves).
    const riding = ended.riders.filter((rider) => rider.leftAt === ended.endedAt);
    const stopped = (
      await Promise.all(riding.map((rider) => locations.stop(ended.groupId, rider.userId)))
    ).filter((notice) => notice !== null);
    return { type: "ended", ride: ended, memberIds: await groupStore.memberIds(ended.groupId), stopped };
  }

  /**
   * Every rider's trail, to the newest fix. One node (embedded mode) feeds
   * every trail itself: after reading the stored ones once, it measures what it
   * holds, never reading thousands of points again every few seconds (a
   * synchronous SQLite read). Several nodes each feed some: read from the store.
   */
  async function trailsToMeasure(ride: Ride): Promise<Map<string, Trail>> {
    const ofRide = () =>
      new Map(
        [...fed]
          .filter(([key]) => key.startsWith(`${ride.id}\u0000`))
          .map(([key, entry]) => [key.slice(ride.id.length + 1), entry.trail]),
      );
    if (!crossNode && measuredHere.has(ride.id)) return ofRide();
    const [stored, positions] = await Promise.all([
      crossNode ? storedTrails.read(ride.id) : store.trails(ride.id),
      locations.latest(ride.groupId),
    ]);
    if (!crossNode) {
      measuredHere.add(ride.id);
      for (const [userId, points] of stored) {
        const key = fedKey(ride.id, userId);
        if (!fed.has(key))
          fed.set(key, {
            trail: Trail.from(points, { maxPoints: limits.trailPoints }),
            fedAt: 0,
            touchedAt: 0,
          });
      }
      return ofRide();
    }
    const trails = new Map<string, Trail>();
    for (const [userId, points] of stored) {
      const trail = Trail.from(points);
      const position = positions.get(userId);
      if (position && trail.latest)
        trail.latest = { lat: position.lat, lng: position.lng, ts: trail.latest.ts };
      trails.set(userId, trail);
    }
    return trails;
  }

  /** Gap and stopped alerts of one ride, raised and cleared once each (the store decides "once"). */
  async function checkGaps(ride: Ride, now: number): Promise<RideNotice[]> {
    const riding = new Set(ride.riders.filter((r) => r.leftAt === null).map((r) => r.userId));
    const [measured, alerts] = await Promise.all([trailsToMeasure(ride), store.alerts(ride.id)]);
    const trails = new Map([...measured].filter(([userId, trail]) => riding.has(userId) && trail.latest));
    const watch = createGapWatch(
      { thresholdM: ride.gapM, stoppedMs: ride.stoppedMs, corridorM: 300 },
      new Map(alerts.map((alert) => [alert.userId, alert.kind])),
    );
    const names = new Map(ride.riders.map((r) => [r.userId, r.username]));
    const changes: Change[] = [];
    for (const change of watch.check(trails, now)) {
      if (change.type === "cleared") {
        if (await store.clearAlert(ride.id, change.userId))
          changes.push({
            type: "alert-cleared",
            cleared: { rideId: ride.id, groupId: ride.groupId, userId: change.userId },
          });
        continue;
      }
      const alert: RideAlert = {
        rideId: ride.id,
        groupId: ride.groupId,
        userId: change.userId,
        username: names.get(change.userId) ?? "",
        kind: change.type,
        behindM: change.behindM === null ? null : Math.round(change.behindM),
        regroupAt: change.regroupAt && { lat: change.regroupAt.lat, lng: change.regroupAt.lng },
        raisedAt: now,
      };
      if (await store.raiseAlert(alert)) changes.push({ type: "alert", alert });
    }
    // A rider who left the ride takes their alert along.
    for (const alert of alerts) {
      if (!riding.has(alert.userId) && (await store.clearAlert(ride.id, alert.userId)))
        changes.push({
          type: "alert-cleared",
          cleared: { rideId: ride.id, groupId: ride.groupId, userId: alert.userId },
        });
    }
    if (changes.length === 0) return [];
    const memberIds = await groupStore.memberIds(ride.groupId);
    return changes.map((change) => ({ ...change, memberIds }));
  }

  /** Extends the rider's trail with a kept position when they ride in the group's ride under way. */
  async function extendTrail(position: Position): Promise<void> {
    const ride = await activeIn(position.groupId);
    const rider = ride?.riders.find((r) => r.userId === position.userId);
    if (!ride || !rider || rider.leftAt !== null) return;
    const now = clock.now();
    const key = fedKey(ride.id, position.userId);
    let entry = fed.get(key);
    if (!entry) {
      const points = (await store.trails(ride.id)).get(position.userId) ?? [];
      entry = { trail: Trail.from(points, { maxPoints: limits.trailPoints }), fedAt: now, touchedAt: 0 };
      fed.set(key, entry);
    }
    entry.fedAt = now;
    const { trail } = entry;
    const before = trail.points.length;
    // Server time: a phone's clock may be minutes off, and "stopped" compares with now.
    if (
      !trail.add({ lat: position.lat, lng: position.lng, ts: Math.max(now, (trail.latest?.ts ?? 0) + 1) })
    ) {
      if (now - entry.touchedAt < TOUCH_EVERY_MS) return;
      entry.touchedAt = now;
      return store.appendTrail(ride.id, position.userId, [], now);
    }
    entry.touchedAt = now;
    if (trail.points.length > before)
      return store.appendTrail(ride.id, position.userId, [trail.points.at(-1)!], now);
    // The oldest half thinned: the stored trail is replaced by what remains.
    return store.replaceTrail(ride.id, position.userId, trail.points);
  }

  return {
    /** The starter rides in it from the start: starting shares their position too. */
    async start(user: User, input: StartRide): Promise<{ ride: Ride; notices: RideNotice[] }> {
      await groups.requireMember(input.groupId, user.id);
      const now = clock.now();
      if (input.plannedEndAt !== null && input.plannedEndAt <= now)
        throw new AppError("VALIDATION_FAILED", "plannedEndAt: must be in the future");
      const ride: Ride = {
        id: randomUUID(),
        groupId: input.groupId,
        name: input.name,
        startedBy: user.id,
        startedAt: now,
        plannedEndAt: input.plannedEndAt,
        endedAt: null,
        endReason: null,
        gapM: input.gapM,
        stoppedMs: input.stoppedMs,
        riders: [{ userId: user.id, username: user.username, joinedAt: now, leftAt: null }],
      };
      if (!(await store.start(ride, limits.ridesKept)))
        throw new AppError("CONFLICT", "this group has a ride under way; join it or end it first");
      remember(ride);
      await locations.share(user, ride.groupId, true);
      return {
        ride,
        notices: [{ type: "update", ride, memberIds: await groupStore.memberIds(ride.groupId) }],
      };
    },

    async join(user: User, rideId: string): Promise<{ state: RideState; notices: RideNotice[] }> {
      await requireRide(rideId, user);
      const ride = await store.join(rideId, {
        userId: user.id,
        username: user.username,
        joinedAt: clock.now(),
      });
      if (!ride) throw new AppError("CONFLICT", "this ride has ended");
      remember(ride);
      await locations.share(user, ride.groupId, true);
      return {
        state: await stateOf(ride),
        notices: [{ type: "update", ride, memberIds: await groupStore.memberIds(ride.groupId) }],
      };
    },

    /** Leaving stops the rider's sharing; leaving a ride one is not in changes nothing. */
    async leave(
      user: User,
      rideId: string,
    ): Promise<{ ride: Ride; notices: RideNotice[]; stopped: RiderStopped | null }> {
      const current = await requireRide(rideId, user);
      if (current.endedAt !== null) throw new AppError("CONFLICT", "this ride has ended");
      const ride = await store.leave(rideId, user.id, clock.now());
      if (!ride) return { ride: current, notices: [], stopped: null };
      remember(ride);
      const { stopped } = await locations.share(user, ride.groupId, false);
      return {
        ride,
        stopped,
        notices: [{ type: "update", ride, memberIds: await groupStore.memberIds(ride.groupId) }],
      };
    },

    /** Its starter or the group's owner only. */
    async end(user: User, rideId: string): Promise<{ ride: Ride; notices: RideNotice[] }> {
      const ride = await requireRide(rideId, user);
      const group = await groupStore.findById(ride.groupId);
      if (user.id !== ride.startedBy && user.id !== group?.ownerId)
        throw new AppError("FORBIDDEN", "only the ride's starter or the group's owner can end it");
      const notice = await finish(ride, "ended");
      if (!notice || notice.type !== "ended") throw new AppError("CONFLICT", "this ride has ended");
      return { ride: notice.ride, notices: [notice] };
    },

    /** The group's ride under way with its trails and alerts, for a subscriber (membership checked by the caller). */
    async stateIn(groupId: string): Promise<RideState | null> {
      const ride = await store.activeIn(groupId);
      if (ride) remember(ride);
      return ride ? stateOf(ride) : null;
    },

    /** The rides under way in the user's groups. */
    async activeFor(user: User): Promise<Ride[]> {
      const groupIds = await groupStore.groupIdsOf(user.id);
      return (await Promise.all(groupIds.map((groupId) => store.activeIn(groupId)))).filter(
        (ride) => ride !== null,
      );
    },

    /** The group's rides, newest first (membership checked). */
    async history(user: User, groupId: string): Promise<Ride[]> {
      await groups.requireMember(groupId, user.id);
      return store.history(groupId, limits.ridesKept);
    },

    /** A ride of the group with its trails and alerts, under way or ended (membership checked). */
    async summary(user: User, groupId: string, rideId: string): Promise<RideState> {
      await groups.requireMember(groupId, user.id);
      const ride = await store.find(rideId);
      if (!ride || ride.groupId !== groupId) throw new AppError("NOT_FOUND", "no such ride in this group");
      return stateOf(ride);
    },

    /** A position that was kept: extends its rider's trail when they ride in the group's ride. */
    observe(position: Position): Promise<void> {
      // Most positions come with no ride under way: no trail, no queue.
      if (recentlyActiveIn(position.groupId) === null) return Promise.resolve();
      // One rider's positions in order: each reads what the previous one added.
      return observing(`${position.groupId}\u0000${position.userId}`, () => extendTrail(position));
    },

    /** Ends rides at their planned end or when idle, and raises or clears gap alerts (one node at a time). */
    async check(): Promise<RideNotice[]> {
      const now = clock.now();
      // With other nodes, a rider may move to another one: forget what may go stale.
      // Alone, this node holds the truth (and measures from it).
      if (crossNode) for (const [key, entry] of fed) if (now - entry.fedAt > TRAIL_IDLE_MS) fed.delete(key);
      if (!(await store.claimWatch(limits.rideCheckMs * 3))) {
        storedTrails.retainOnly(new Set()); // another node measures: no need to keep what this one read
        return [];
      }
      const notices: RideNotice[] = [];
      const underWay = await store.allActive();
      const ids = new Set(underWay.map(({ ride }) => ride.id));
      storedTrails.retainOnly(ids);
      for (const { ride, lastActivityAt } of underWay) {
        const reason: RideEndReason | null =
          ride.plannedEndAt !== null && ride.plannedEndAt <= now
            ? "planned-end"
            : now - lastActivityAt >= limits.rideIdleMs
              ? "idle"
              : null;
        if (reason) {
          const notice = await finish(ride, reason);
          if (notice) notices.push(notice);
        } else notices.push(...(await checkGaps(ride, now)));
      }
      return notices;
    },
  };
}
export type Rides = ReturnType<typeof createRides>;
