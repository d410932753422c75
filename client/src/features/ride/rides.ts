// Rides on /location: the rides under way in the user's groups, the open
// group's ride with every rider's trail (extended live from their positions)
// and its alerts, and the actions start, join, leave and end. Joining or
// starting shares the rider's position for the ride (the server turns it on);
// leaving or the ride's end stops it, and this feature makes the location
// feature follow, so that a reconnect never shares again for a ride that is over.
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
import { ApiError, type Api } from "../../net/http.ts";
import { request } from "../../net/request.ts";
import type { LocationSocket } from "../../net/socket-port.ts";
import { withEntry, type ByGroup } from "../by-group.ts";
import type { Feature } from "../feature.ts";
import type { LiveLocation } from "../map/location.ts";
import type { ShareMode } from "../map/position-source.ts";
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

/** What an action answers: null when done, else what to tell the rider. */
export type Problem = string | null;

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

const OFFLINE = "You are offline. Try again once connected";
const ridePath = (groupId: string, rideId: string) =>
  `/api/groups/${encodeURIComponent(groupId)}/rides/${encodeURIComponent(rideId)}`;

export function createRides({
  socket,
  location,
  api,
  userId,
  maxTrailPoints = LIMITS.trailPoints,
}: {
  socket: LocationSocket;
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
    if (!socket.connected) return OFFLINE;
    const reply = await request(socket, "ride:join", { rideId: ride.id });
    if (!reply.ok) return refused("join", ride, reply.error);
    applyState(reply.data);
    bind(reply.data.ride, mode);
    return null;
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
  const onConnect = () => void refreshActive({ rejoin: true });
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
      if (!socket.connected) return OFFLINE;
      const reply = await request(socket, "ride:leave", { rideId: ride.id });
      if (!reply.ok) return refused("leave", ride, reply.error);
      applyRide(reply.data.ride);
      location.forgetSharing(ride.groupId);
      return null;
    },
    async endRide(ride) {
      if (!socket.connected) return OFFLINE;
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
      socket.on("ride:update", onUpdate);
      socket.on("ride:ended", onEnded);
      socket.on("ride:alert", onAlert);
      socket.on("ride:alert-cleared", onAlertCleared);
      socket.on("location:update", onPosition);
      socket.on("connect", onConnect);
      stopSubscribeWatch = location.onSubscribe(onSubscribe);
    },
    stop() {
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
