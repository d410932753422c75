// Rides on /location: the rides under way in the user's groups, the open
// group's ride with every rider's trail (extended live from their positions)
// and its alerts, and the actions start, join, leave and end. Joining or
// starting shares the rider's position for the ride (the server turns it on);
// leaving or the ride's end stops it, and this feature makes the location
// feature follow, so that a reconnect never shares again for a ride that is over.
// Offline, join, leave and end wait in a durable queue and go out in order on
// the next connect; start is refused (outbox-policy.ts says why).
import {
  LIMITS,
  type Position,
  type Ride,
  type RideAlert,
  type RideAlertCleared,
  type RiderTrail,
  type RideState,
  type TrailPoint,
} from "@convoy/shared";
import { signal, type ReadonlySignal } from "@preact/signals";
import type { Clock } from "../../net/clock.ts";
import type { DurableQueue } from "../../net/durable-queue.ts";
import { ApiError, type Api } from "../../net/http.ts";
import { request, retryDelay } from "../../net/request.ts";
import type { LocationSocket } from "../../net/socket-port.ts";
import { createTimers } from "../../net/timers.ts";
import { withEntry, type ByGroup } from "../by-group.ts";
import type { Feature } from "../feature.ts";
import type { LiveLocation } from "../map/location.ts";
import type { ShareMode } from "../map/position-source.ts";
import { RIDE_ACTION_DROPPED_ON } from "../outbox/outbox-policy.ts";
import { rideProblem } from "./ride-problem.ts";

/** The trails of a group's ride under way: userId → points, oldest first. */
export interface LiveTrails {
  rideId: string;
  byRider: Record<string, TrailPoint[]>;
}

export interface RideSummary {
  groupId: string;
  ride: Ride;
  trails: RiderTrail[];
}

export interface StartOptions {
  name: string;
  plannedEndAt: number | null;
  mode: ShareMode;
  /** Alert when a rider is this far behind the front (default LIMITS.rideGapM). */
  gapM?: number;
  /** Alert when a rider has not moved for this long while the others ride (default LIMITS.rideStoppedMs). */
  stoppedMs?: number;
}

/** What an action answers: null when done (or queued while offline), else what to tell the rider. */
export type Problem = string | null;

/** A ride action taken offline, sent on the next connect. */
export interface QueuedRideAction {
  id: string;
  action: "join" | "leave" | "end";
  rideId: string;
  groupId: string;
  rideName: string;
  /** How to share once joined (join only). */
  mode: ShareMode | null;
  createdAt: number;
}

export interface Rides extends Feature {
  /** groupId → its ride under way. */
  active: ReadonlySignal<Record<string, Ride>>;
  /** groupId → the last ride that ended while the app ran (until a new one starts). */
  lastEnded: ReadonlySignal<Record<string, Ride>>;
  /** groupId → the trails of its ride under way (the open group's). */
  trails: ReadonlySignal<Record<string, LiveTrails>>;
  /** groupId → userId → the rider's alert. */
  alerts: ReadonlySignal<ByGroup<RideAlert>>;
  /** A past ride shown with its trails, or null. */
  summary: ReadonlySignal<RideSummary | null>;
  /** Actions taken offline, oldest first, waiting for the connection. */
  queued: ReadonlySignal<QueuedRideAction[]>;
  /** Why a queued action was dropped when it finally went out, for the rider. */
  notice: ReadonlySignal<string | null>;
  dismissNotice(): void;
  startRide(groupId: string, options: StartOptions): Promise<Problem>;
  /** Joins (or, for a rider already in it, shares again from this device). */
  joinRide(ride: Ride, mode: ShareMode): Promise<Problem>;
  leaveRide(ride: Ride): Promise<Problem>;
  endRide(ride: Ride): Promise<Problem>;
  /** The group's ended rides, newest first; throws an ApiError. */
  pastRides(groupId: string): Promise<Ride[]>;
  openSummary(groupId: string, rideId: string): Promise<Problem>;
  closeSummary(): void;
}

/** The user rides in `ride` now (joined and not left). */
export const ridesIn = (ride: Ride, userId: string) =>
  ride.riders.some((r) => r.userId === userId && r.leftAt === null);

const OFFLINE = "You are offline: a ride can only be started once connected";
/** Ride actions that undo each other while both still wait to be sent. */
const OPPOSITE: Partial<Record<QueuedRideAction["action"], QueuedRideAction["action"]>> = {
  join: "leave",
  leave: "join",
};
const RETRY_MS = 3000;
const ridePath = (groupId: string, rideId: string) =>
  `/api/groups/${encodeURIComponent(groupId)}/rides/${encodeURIComponent(rideId)}`;

export function createRides({
  socket,
  location,
  api,
  userId,
  queue,
  clock,
  maxTrailPoints = LIMITS.trailPoints,
  newId = () => crypto.randomUUID(),
}: {
  socket: LocationSocket;
  /** The user's ride actions taken offline, kept on the device (outbox-policy.ts). */
  queue: DurableQueue<QueuedRideAction>;
  clock: Clock;
  newId?: () => string;
  location: Pick<LiveLocation, "sharing" | "rideSharing" | "shareForRide" | "forgetSharing" | "onSubscribe">;
  api: Api;
  userId: string;
  maxTrailPoints?: number;
}): Rides {
  const active = signal<Record<string, Ride>>({});
  const lastEnded = signal<Record<string, Ride>>({});
  const trails = signal<Record<string, LiveTrails>>({});
  const alerts = signal<ByGroup<RideAlert>>({});
  const summary = signal<RideSummary | null>(null);
  const queued = signal<QueuedRideAction[]>([]);
  const notice = signal<string | null>(null);
  const timers = createTimers(clock);
  let running = false;
  let loaded = false;
  /** The flush under way, if any: a second connect waits for it rather than sending twice. */
  let flushing: Promise<void> | null = null;
  /**
   * groupId → changes applied to its ride. An answer to a request sent before
   * a later change (a push, or this user's own join) is older news: it must
   * not undo that change.
   */
  const versions = new Map<string, number>();
  const version = (groupId: string) => versions.get(groupId) ?? 0;
  const touch = (groupId: string) => versions.set(groupId, version(groupId) + 1);
  let stopSubscribeWatch: (() => void) | null = null;
  /** The group whose positions come (the location feature subscribed to it last). */
  let watched: string | null = null;

  function put<T>(record: Record<string, T>, groupId: string, value: T | undefined): Record<string, T> {
    const next = { ...record };
    if (value === undefined) delete next[groupId];
    else next[groupId] = value;
    return next;
  }

  /** The location feature follows the ride: sharing held by a ride that is over, or left, stops here too. */
  function reconcile(groupId: string): void {
    const bound = location.rideSharing.value[groupId];
    if (!bound) return;
    const ride = active.value[groupId];
    // One ride per group at a time: another ride under way means the bound one ended.
    if (!ride || ride.id !== bound || !ridesIn(ride, userId)) location.forgetSharing(groupId);
  }

  function bind(ride: Ride, mode: ShareMode): void {
    const { groupId } = ride;
    // Already sharing so for this ride (a join again after a reconnect): the source runs on undisturbed.
    if (location.rideSharing.value[groupId] === ride.id && location.sharing.value[groupId] === mode) return;
    location.shareForRide(groupId, ride.id, mode);
  }

  function applyRide(ride: Ride): void {
    const { groupId } = ride;
    touch(groupId);
    if (ride.endedAt !== null) return applyEnded(ride);
    active.value = put(active.value, groupId, ride);
    if (lastEnded.value[groupId]) lastEnded.value = put(lastEnded.value, groupId, undefined);
    // A ride that starts in the open group is drawn from its first position on.
    if (groupId === watched && trails.value[groupId]?.rideId !== ride.id)
      trails.value = put(trails.value, groupId, { rideId: ride.id, byRider: {} });
    dropAlerts(groupId, (alert) => alert.rideId !== ride.id);
    reconcile(groupId);
  }

  function applyEnded(ride: Ride): void {
    const { groupId } = ride;
    touch(groupId);
    if (!active.value[groupId] || active.value[groupId].id === ride.id) {
      active.value = put(active.value, groupId, undefined);
      lastEnded.value = put(lastEnded.value, groupId, ride);
    }
    if (trails.value[groupId]?.rideId === ride.id) trails.value = put(trails.value, groupId, undefined);
    dropAlerts(groupId, (alert) => alert.rideId === ride.id);
    reconcile(groupId);
  }

  /** The group has no ride under way (an answer said so). */
  function applyNone(groupId: string): void {
    const gone = active.value[groupId];
    touch(groupId);
    active.value = put(active.value, groupId, undefined);
    trails.value = put(trails.value, groupId, undefined);
    dropAlerts(groupId, () => true);
    reconcile(groupId);
    // Whichever answer says so first (ride:active or the subscribe answer), the ride we knew is over.
    if (gone) void learnEnd(gone);
  }

  function applyState(state: RideState): void {
    applyRide(state.ride);
    if (state.ride.endedAt !== null) return;
    applyTrailsAndAlerts(state);
  }

  function applyTrailsAndAlerts({ ride, trails: riderTrails, alerts: raised }: RideState): void {
    const byRider = Object.fromEntries(riderTrails.map((t) => [t.userId, t.points.slice(-maxTrailPoints)]));
    trails.value = put(trails.value, ride.groupId, { rideId: ride.id, byRider });
    alerts.value = { ...alerts.value, [ride.groupId]: Object.fromEntries(raised.map((a) => [a.userId, a])) };
  }

  function dropAlerts(groupId: string, drop: (alert: RideAlert) => boolean): void {
    const mine = alerts.value[groupId];
    if (!mine || !Object.values(mine).some(drop)) return;
    alerts.value = {
      ...alerts.value,
      [groupId]: Object.fromEntries(Object.entries(mine).filter(([, alert]) => !drop(alert))),
    };
  }

  /** Asks the rides under way; on a reconnect, a ride this device shares for is joined again. */
  async function refreshActive({ rejoin = false } = {}): Promise<void> {
    const asked = new Map(versions);
    const reply = await request(socket, "ride:active", {});
    if (!reply.ok) return;
    const changed = new Set([...versions.keys()].filter((g) => version(g) !== (asked.get(g) ?? 0)));
    const answered = new Map(reply.data.rides.map((ride) => [ride.groupId, ride]));
    for (const ride of answered.values()) if (!changed.has(ride.groupId)) applyRide(ride);
    for (const groupId of Object.keys(active.value)) {
      if (answered.has(groupId) || changed.has(groupId)) continue;
      applyNone(groupId);
    }
    for (const [groupId, rideId] of Object.entries(location.rideSharing.value)) {
      if (changed.has(groupId)) continue;
      const ride = active.value[groupId];
      if (!ride || ride.id !== rideId || !ridesIn(ride, userId)) location.forgetSharing(groupId);
      // The server keeps sharing across reconnects; a join again covers one that forgot (restarted),
      // and unlike location:share it cannot turn sharing on once the ride is over.
      else if (rejoin) void joinRide(ride, location.sharing.value[groupId] ?? "gps");
    }
  }

  /** A ride that ended while this device was away: how and when, for the panel and its summary. */
  async function learnEnd(ride: Ride): Promise<void> {
    const asked = version(ride.groupId);
    const state = await api<RideState>("GET", ridePath(ride.groupId, ride.id)).catch(() => null);
    if (state?.ride.endedAt && version(ride.groupId) === asked) applyEnded(state.ride);
  }

  async function joinRide(ride: Ride, mode: ShareMode): Promise<Problem> {
    if (!socket.connected) return enqueue("join", ride, mode);
    const reply = await request(socket, "ride:join", { rideId: ride.id });
    if (!reply.ok) return refused("join", ride, reply.error);
    joined(reply.data, mode);
    return null;
  }

  function joined(state: RideState, mode: ShareMode): void {
    applyState(state);
    bind(state.ride, mode);
  }

  function left(ride: Ride): void {
    applyRide(ride);
    location.forgetSharing(ride.groupId);
  }

  /**
   * Offline: the action waits for the connection; sharing stops here at once. The rider's
   * last choice wins: a join and a leave of one ride still waiting cancel out (leave, join,
   * leave goes out as one leave), and a repeat of the last waiting action adds nothing.
   */
  function enqueue(action: QueuedRideAction["action"], ride: Ride, mode: ShareMode | null = null): Problem {
    if (action !== "join" && location.rideSharing.value[ride.groupId] === ride.id)
      location.forgetSharing(ride.groupId);
    const last = queued.value.filter((q) => q.rideId === ride.id).at(-1);
    if (last?.action === action) return null;
    if (last && OPPOSITE[action] === last.action) {
      unqueue(last.id);
      // Back in the ride the server never saw this device leave: its sharing goes on.
      if (action === "join" && mode) bind(ride, mode);
      return null;
    }
    const entry: QueuedRideAction = {
      id: newId(),
      action,
      rideId: ride.id,
      groupId: ride.groupId,
      rideName: ride.name,
      mode,
      createdAt: clock.now(),
    };
    queued.value = [...queued.value, entry];
    void queue.put(entry.id, entry);
    return null;
  }

  function unqueue(id: string): void {
    queued.value = queued.value.filter((q) => q.id !== id);
    void queue.remove(id);
  }

  /** Sends a queued action and applies the answer; resolves the refusal, or null when done. */
  async function sendAction({ action, rideId, mode }: QueuedRideAction) {
    switch (action) {
      case "join": {
        const reply = await request(socket, "ride:join", { rideId });
        if (!reply.ok) return reply.error;
        joined(reply.data, mode ?? "gps");
        return null;
      }
      case "leave": {
        const reply = await request(socket, "ride:leave", { rideId });
        if (!reply.ok) return reply.error;
        left(reply.data.ride);
        return null;
      }
      case "end": {
        const reply = await request(socket, "ride:end", { rideId });
        if (!reply.ok) return reply.error;
        applyEnded(reply.data.ride);
        return null;
      }
    }
  }

  /** Sends one queued action; resolves false when it must wait (no connection, or a retry later). */
  async function sendQueued(entry: QueuedRideAction): Promise<boolean> {
    const error = await sendAction(entry);
    if (!error) {
      unqueue(entry.id);
      return true;
    }
    if (RIDE_ACTION_DROPPED_ON.has(error.code)) {
      unqueue(entry.id);
      const known = active.value[entry.groupId] ?? lastEnded.value[entry.groupId];
      const ride = known?.id === entry.rideId ? known : undefined;
      const problem = ride ? refused(entry.action, ride, error) : rideProblem(entry.action, error);
      if (!ride && (error.code === "CONFLICT" || error.code === "NOT_FOUND")) void refreshActive();
      notice.value = `Your request to ${entry.action} the ride “${entry.rideName}”, made offline, was not sent. ${problem}.`;
      return true;
    }
    // No answer, a server fault, the event limit: kept, and tried again while connected.
    const wait = retryDelay(error, RETRY_MS);
    if (socket.connected && wait !== undefined)
      timers.after(wait, () => {
        if (socket.connected) void flushQueued();
      });
    return false;
  }

  /** The queued actions in order, one at a time, while connected. */
  function flushQueued(): Promise<void> {
    return (flushing ??= (async () => {
      try {
        for (;;) {
          const next = queued.value[0];
          if (!running || !loaded || !next || !socket.connected) return;
          if (!(await sendQueued(next))) return;
        }
      } finally {
        flushing = null;
      }
    })());
  }

  async function loadQueued(): Promise<void> {
    const kept = await queue.load();
    if (!running) return;
    const ids = new Set(kept.map((q) => q.id));
    queued.value = [...kept, ...queued.value.filter((q) => !ids.has(q.id))];
    loaded = true;
    // Connected before the queue was read: what waited goes now, then the rides are asked again.
    if (socket.connected && queued.value.length) void flushQueued().then(() => refreshActive());
  }

  /** A refusal that says the ride is over also ends this device's sharing for it. */
  function refused(action: "join" | "leave" | "end", ride: Ride, error: { code: string; message: string }) {
    if (error.code === "CONFLICT" || error.code === "NOT_FOUND") {
      if (location.rideSharing.value[ride.groupId] === ride.id) location.forgetSharing(ride.groupId);
      void refreshActive();
    }
    return rideProblem(action, error);
  }

  const onUpdate = (ride: Ride) => applyRide(ride);
  const onEnded = (ride: Ride) => applyEnded(ride);
  const onAlert = (alert: RideAlert) => {
    if (active.value[alert.groupId] && active.value[alert.groupId]?.id !== alert.rideId) return;
    alerts.value = withEntry(alerts.value, alert.groupId, alert.userId, alert);
  };
  const onAlertCleared = ({ groupId, rideId, userId: rider }: RideAlertCleared) => {
    if (alerts.value[groupId]?.[rider]?.rideId !== rideId) return;
    alerts.value = withEntry<RideAlert>(alerts.value, groupId, rider, undefined);
  };
  /** A position of a rider in the ride extends their trail, within the bound. */
  const onPosition = (position: Position) => {
    const { groupId, userId: rider } = position;
    const live = trails.value[groupId];
    const ride = active.value[groupId];
    if (!live || !ride || live.rideId !== ride.id || !ridesIn(ride, rider)) return;
    const points = live.byRider[rider] ?? [];
    const last = points.at(-1);
    if (last && last[0] === position.lat && last[1] === position.lng) return;
    const next = [...points, [position.lat, position.lng, position.ts] as TrailPoint];
    if (next.length > maxTrailPoints) next.splice(0, next.length - maxTrailPoints);
    trails.value = { ...trails.value, [groupId]: { ...live, byRider: { ...live.byRider, [rider]: next } } };
  };
  // What was done offline goes first: a rejoin must not undo a leave that waited.
  const onConnect = () => {
    if (!loaded || queued.value.length === 0) return void refreshActive({ rejoin: true });
    void flushQueued().then(() => refreshActive({ rejoin: true }));
  };
  /** The location feature's subscribe answer carries the group's ride. */
  const onSubscribe = (groupId: string) => {
    // Only the open group's trails are kept up to date: the others' are dropped.
    watched = groupId;
    trails.value = trails.value[groupId] ? { [groupId]: trails.value[groupId] } : {};
    const asked = version(groupId);
    return (state: RideState | null) => {
      if (version(groupId) !== asked) {
        // Newer news came first: only the trails and alerts are taken, when they are of that ride.
        if (state && active.value[groupId]?.id === state.ride.id) applyTrailsAndAlerts(state);
        return;
      }
      if (state) applyState(state);
      else applyNone(groupId);
    };
  };

  return {
    active,
    lastEnded,
    trails,
    alerts,
    summary,
    queued,
    notice,
    dismissNotice() {
      notice.value = null;
    },
    async startRide(
      groupId,
      { name, plannedEndAt, mode, gapM = LIMITS.rideGapM, stoppedMs = LIMITS.rideStoppedMs },
    ) {
      if (!socket.connected) return OFFLINE;
      const reply = await request(socket, "ride:start", {
        groupId,
        name,
        plannedEndAt,
        gapM,
        stoppedMs,
      });
      if (!reply.ok) {
        // Someone else's ride is under way: show it.
        if (reply.error.code === "CONFLICT") void refreshActive();
        return rideProblem("start", reply.error);
      }
      applyState({ ride: reply.data.ride, trails: [], alerts: [] });
      bind(reply.data.ride, mode);
      return null;
    },
    joinRide,
    async leaveRide(ride) {
      if (!socket.connected) return enqueue("leave", ride);
      const reply = await request(socket, "ride:leave", { rideId: ride.id });
      if (!reply.ok) return refused("leave", ride, reply.error);
      left(reply.data.ride);
      return null;
    },
    async endRide(ride) {
      if (!socket.connected) return enqueue("end", ride);
      const reply = await request(socket, "ride:end", { rideId: ride.id });
      if (!reply.ok) return refused("end", ride, reply.error);
      applyEnded(reply.data.ride);
      return null;
    },
    async pastRides(groupId) {
      const { rides } = await api<{ rides: Ride[] }>(
        "GET",
        `/api/groups/${encodeURIComponent(groupId)}/rides`,
      );
      return rides.filter((ride) => ride.endedAt !== null);
    },
    async openSummary(groupId, rideId) {
      try {
        const state = await api<RideState>("GET", ridePath(groupId, rideId));
        summary.value = { groupId, ride: state.ride, trails: state.trails };
        return null;
      } catch (err) {
        return err instanceof ApiError ? rideProblem("summary", err) : "The ride could not be loaded";
      }
    },
    closeSummary() {
      summary.value = null;
    },
    start() {
      running = true;
      timers.start();
      if (!loaded) void loadQueued();
      socket.on("ride:update", onUpdate);
      socket.on("ride:ended", onEnded);
      socket.on("ride:alert", onAlert);
      socket.on("ride:alert-cleared", onAlertCleared);
      socket.on("location:update", onPosition);
      socket.on("connect", onConnect);
      stopSubscribeWatch = location.onSubscribe(onSubscribe);
    },
    stop() {
      running = false;
      timers.stop();
      socket.off("ride:update", onUpdate);
      socket.off("ride:ended", onEnded);
      socket.off("ride:alert", onAlert);
      socket.off("ride:alert-cleared", onAlertCleared);
      socket.off("location:update", onPosition);
      socket.off("connect", onConnect);
      stopSubscribeWatch?.();
      stopSubscribeWatch = null;
    },
  };
}
