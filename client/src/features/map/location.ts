// Live positions of the open group's riders, and this user's own sharing.
// Sharing is an explicit choice per group (consent); its source is the
// browser's Geolocation API, or a simulated ride for demos and tests. Sharing
// held by a ride (joined or started) belongs to the ride: the server turned it
// on with the ride and turns it off when the rider leaves or the ride ends, so
// it is never re-sent with location:share (the rides feature checks it instead).
import type { Position, RideState, RiderStopped } from "@convoy/shared";
import { signal, type ReadonlySignal } from "@preact/signals";
import type { Clock } from "../../net/clock.ts";
import { request } from "../../net/request.ts";
import type { LocationSocket } from "../../net/socket-port.ts";
import type { JsonStorage } from "../../net/storage.ts";
import { withEntry, type ByGroup } from "../by-group.ts";
import type { Feature } from "../feature.ts";
import {
  locationProblem,
  startPositionSource,
  type GeolocationLike,
  type ShareMode,
} from "./position-source.ts";
import type { Fix } from "./simulated-ride.ts";

export interface LiveLocation extends Feature {
  /** groupId → userId → last position. */
  ridersByGroup: ReadonlySignal<ByGroup<Position>>;
  /** groupId → how this user shares there (absent: not sharing). */
  sharing: ReadonlySignal<Record<string, ShareMode>>;
  /** groupId → the ride whose sharing this is (absent: the rider's own choice, or none). */
  rideSharing: ReadonlySignal<Record<string, string>>;
  /** Why sharing stopped or cannot start (permission refused, no GPS…). */
  sharingProblem: ReadonlySignal<string | null>;
  /** This device's latest own fix while sharing (sent or not), or asked once: where an SOS says the rider is. */
  lastFix: ReadonlySignal<OwnFix | null>;
  /**
   * Asks the location service for one position, shared with nobody (an SOS
   * sends it): resolves with null once lastFix has it, else with the problem.
   */
  locateOnce(): Promise<string | null>;
  /** Shows the riders of `groupId` (the open group) from now on. */
  watchGroup(groupId: string | null): void;
  startSharing(groupId: string, mode: ShareMode): Promise<void>;
  stopSharing(groupId: string): Promise<void>;
  /** The server shares for the ride `rideId` (joined or started): the source starts, nothing is sent. */
  shareForRide(groupId: string, rideId: string, mode: ShareMode): void;
  /** The server stopped sharing (the ride was left or ended): the source stops and the consent is forgotten. */
  forgetSharing(groupId: string): void;
  /**
   * `asking(groupId)` is called as each location:subscribe is sent; the function
   * it returns gets the answer's ride. Returns the function that stops it.
   */
  onSubscribe(asking: (groupId: string) => (ride: RideState | null) => void): () => void;
  /** Logging out ends sharing for real: the server forgets the position, and this device the consent. */
  endSharing(): void;
}

/** A fix of this rider; `ts` is the device time it was taken. */
export interface OwnFix {
  lat: number;
  lng: number;
  accuracy: number | null;
  ts: number;
}

/** How long one position may take: a phone without a recent fix needs a while for GPS. */
const LOCATE_ONCE_MS = 20_000;
const DEFAULT_CENTER = { lat: 46.56, lng: 8.56 };
// Positions are fire-and-forget: the next one replaces a lost one.
const ignoreAck = () => {};

export function createLocation({
  socket,
  storage,
  clock,
  geolocation,
  userId,
  random = Math.random,
}: {
  socket: LocationSocket;
  storage: JsonStorage;
  clock: Clock;
  geolocation: GeolocationLike | undefined;
  userId: string;
  random?: () => number;
}): LiveLocation {
  const consentKey = `convoy.${userId}.sharing`;
  const rideKey = `convoy.${userId}.ride-sharing`;
  const ridersByGroup = signal<ByGroup<Position>>({});
  const sharing = signal<Record<string, ShareMode>>({});
  const rideSharing = signal<Record<string, string>>({});
  const subscribeWatchers = new Set<(groupId: string) => (ride: RideState | null) => void>();
  const sharingProblem = signal<string | null>(null);
  const lastFix = signal<OwnFix | null>(null);
  let watchedGroup: string | null = null;
  let running = false;
  /** groupId → stops the position source. */
  const stoppers = new Map<string, () => void>();
  /** Groups where the rider stopped sharing while the server could not be told: told on the next connect. */
  const pendingStops = new Set<string>();

  /** Only GPS consent outlives a reload; a simulated ride is a demo of the moment. */
  function saveConsent(): void {
    const gps = (groupId: string) => sharing.value[groupId] === "gps";
    storage.saveJson(consentKey, Object.fromEntries(Object.entries(sharing.value).filter(([g]) => gps(g))));
    storage.saveJson(rideKey, Object.fromEntries(Object.entries(rideSharing.value).filter(([g]) => gps(g))));
  }

  function without<T>(record: Record<string, T>, groupId: string): Record<string, T> {
    const next = { ...record };
    delete next[groupId];
    return next;
  }

  /** groupId → what was heard of it while its subscribe is answered. */
  const heardWhileSubscribing = new Map<string, Array<Position | RiderStopped>>();
  async function subscribe(groupId: string): Promise<void> {
    const answered = [...subscribeWatchers].map((asking) => asking(groupId));
    // Heard before the answer, they may be newer than its snapshot: applied over it.
    const heard: Array<Position | RiderStopped> = [];
    heardWhileSubscribing.set(groupId, heard);
    const reply = await request(socket, "location:subscribe", { groupId });
    if (heardWhileSubscribing.get(groupId) === heard) heardWhileSubscribing.delete(groupId);
    if (!reply.ok) return;
    for (const answer of answered) answer(reply.data.ride);
    const riders = new Map(reply.data.riders.map((p) => [p.userId, p]));
    for (const event of heard) {
      const known = riders.get(event.userId);
      if (!("ts" in event)) riders.delete(event.userId);
      else if (!known || known.ts <= event.ts) riders.set(event.userId, event);
    }
    ridersByGroup.value = { ...ridersByGroup.value, [groupId]: Object.fromEntries(riders) };
  }

  /** Without an ack: the next fix supersedes this one, and an answer would cost a packet per fix on mobile data. */
  function send(groupId: string, fix: Fix & { accuracy?: number | null }): void {
    const own = { lat: fix.lat, lng: fix.lng, accuracy: fix.accuracy ?? null, ts: clock.now() };
    // Kept while offline too: an SOS raised without a connection still says where the rider was.
    lastFix.value = own;
    if (!socket.connected) return;
    socket.emit("location:update", {
      groupId,
      ...own,
      heading: Number.isFinite(fix.heading) ? fix.heading % 360 : null,
      speed: Number.isFinite(fix.speed) ? Math.max(fix.speed, 0) : null,
    });
  }

  function stopSource(groupId: string): void {
    stoppers.get(groupId)?.();
    stoppers.delete(groupId);
  }

  async function startSharing(groupId: string, mode: ShareMode): Promise<void> {
    // A ride's sharing changes source only: a location:share could outlive the ride's end on the server.
    const rideId = rideSharing.value[groupId];
    if (rideId) return shareForRide(groupId, rideId, mode);
    stopSource(groupId);
    sharing.value = { ...sharing.value, [groupId]: mode };
    saveConsent();
    pendingStops.delete(groupId);
    sharingProblem.value = null;
    if (socket.connected) await request(socket, "location:share", { groupId, sharing: true });
    // Stopped (or logged out) while the server answered: do not start the source after all.
    if (sharing.value[groupId] !== mode) return;
    startSource(groupId, mode);
  }

  function shareForRide(groupId: string, rideId: string, mode: ShareMode): void {
    stopSource(groupId);
    sharing.value = { ...sharing.value, [groupId]: mode };
    rideSharing.value = { ...rideSharing.value, [groupId]: rideId };
    saveConsent();
    pendingStops.delete(groupId);
    sharingProblem.value = null;
    startSource(groupId, mode);
  }

  function startSource(groupId: string, mode: ShareMode): void {
    if (!running || stoppers.has(groupId)) return;
    const mine = Object.values(ridersByGroup.value[groupId] ?? {})[0];
    stoppers.set(
      groupId,
      startPositionSource({
        mode,
        clock,
        geolocation,
        start: mine ?? DEFAULT_CENTER,
        random,
        send: (fix) => send(groupId, fix),
        problem: (message) => (sharingProblem.value = message),
      }),
    );
  }

  const onUpdate = (position: Position) => {
    heardWhileSubscribing.get(position.groupId)?.push(position);
    ridersByGroup.value = withEntry(ridersByGroup.value, position.groupId, position.userId, position);
  };
  const onStopped = (stopped: RiderStopped) => {
    heardWhileSubscribing.get(stopped.groupId)?.push(stopped);
    ridersByGroup.value = withEntry<Position>(
      ridersByGroup.value,
      stopped.groupId,
      stopped.userId,
      undefined,
    );
  };
  const onConnect = () => {
    for (const groupId of pendingStops) socket.emit("location:share", { groupId, sharing: false }, ignoreAck);
    pendingStops.clear();
    // The server remembers sharing across reconnects; saying it again covers a server that forgot (embedded restart).
    // Not for a ride's: it may have ended meanwhile (the rides feature asks ride:active instead).
    for (const groupId of Object.keys(sharing.value))
      if (!rideSharing.value[groupId]) void request(socket, "location:share", { groupId, sharing: true });
    if (watchedGroup) void subscribe(watchedGroup);
  };

  return {
    ridersByGroup,
    sharing,
    rideSharing,
    sharingProblem,
    lastFix,
    watchGroup(groupId) {
      if (watchedGroup === groupId) return;
      const previous = watchedGroup;
      watchedGroup = groupId;
      if (!socket.connected) return;
      if (previous) void request(socket, "location:unsubscribe", { groupId: previous });
      if (groupId) void subscribe(groupId);
    },
    startSharing,
    locateOnce() {
      if (!geolocation) return Promise.resolve("This browser has no location service.");
      return new Promise((resolve) =>
        geolocation.getCurrentPosition(
          ({ coords }) => {
            lastFix.value = {
              lat: coords.latitude,
              lng: coords.longitude,
              accuracy: coords.accuracy,
              ts: clock.now(),
            };
            resolve(null);
          },
          (error) => resolve(locationProblem(error)),
          { enableHighAccuracy: true, maximumAge: 30_000, timeout: LOCATE_ONCE_MS },
        ),
      );
    },
    async stopSharing(groupId) {
      stopSource(groupId);
      sharing.value = without(sharing.value, groupId);
      rideSharing.value = without(rideSharing.value, groupId);
      saveConsent();
      const told =
        socket.connected && (await request(socket, "location:share", { groupId, sharing: false })).ok;
      if (!told && !sharing.value[groupId]) pendingStops.add(groupId);
    },
    shareForRide,
    forgetSharing(groupId) {
      stopSource(groupId);
      sharing.value = without(sharing.value, groupId);
      rideSharing.value = without(rideSharing.value, groupId);
      saveConsent();
      pendingStops.delete(groupId);
      sharingProblem.value = null;
    },
    onSubscribe(asking) {
      subscribeWatchers.add(asking);
      return () => subscribeWatchers.delete(asking);
    },
    endSharing() {
      for (const groupId of [...stoppers.keys()]) stopSource(groupId);
      for (const groupId of Object.keys(sharing.value)) {
        if (!socket.connected) continue;
        // Leaving is what ends a ride's sharing: the rider is no longer counted in it (no "stopped" alert).
        const rideId = rideSharing.value[groupId];
        if (rideId) socket.emit("ride:leave", { rideId }, ignoreAck);
        else socket.emit("location:share", { groupId, sharing: false }, ignoreAck);
      }
      storage.saveJson(consentKey, {});
      storage.saveJson(rideKey, {});
      pendingStops.clear();
      sharing.value = {};
      rideSharing.value = {};
      sharingProblem.value = null;
      lastFix.value = null;
      ridersByGroup.value = {};
      watchedGroup = null;
    },
    start() {
      running = true;
      socket.on("location:update", onUpdate);
      socket.on("location:stopped", onStopped);
      socket.on("connect", onConnect);
      // Consent given earlier on this device is kept; the sources start again.
      const rides = storage.loadJson<Record<string, string>>(rideKey, {});
      for (const [groupId, mode] of Object.entries(
        storage.loadJson<Record<string, ShareMode>>(consentKey, {}),
      )) {
        const rideId = rides[groupId];
        if (rideId) shareForRide(groupId, rideId, mode);
        else void startSharing(groupId, mode);
      }
    },
    stop() {
      running = false;
      socket.off("location:update", onUpdate);
      socket.off("location:stopped", onStopped);
      socket.off("connect", onConnect);
      for (const groupId of [...stoppers.keys()]) stopSource(groupId);
    },
  };
}
