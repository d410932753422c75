// Live positions of the open group's riders, and this user's own sharing.
// Sharing is an explicit choice per group (consent); its source is the
// browser's Geolocation API, or a simulated ride for demos and tests.
import type { Position, RiderStopped } from "@convoy/shared";
import { signal, type ReadonlySignal } from "@preact/signals";
import type { Clock } from "../../net/clock.ts";
import { request } from "../../net/request.ts";
import type { LocationSocket } from "../../net/socket-port.ts";
import type { JsonStorage } from "../../net/storage.ts";
import { withEntry, type ByGroup } from "../by-group.ts";
import type { Feature } from "../feature.ts";
import { startPositionSource, type GeolocationLike, type ShareMode } from "./position-source.ts";
import type { Fix } from "./simulated-ride.ts";

export interface LiveLocation extends Feature {
  /** groupId → userId → last position. */
  ridersByGroup: ReadonlySignal<ByGroup<Position>>;
  /** groupId → how this user shares there (absent: not sharing). */
  sharing: ReadonlySignal<Record<string, ShareMode>>;
  /** Why sharing stopped or cannot start (permission refused, no GPS…). */
  sharingProblem: ReadonlySignal<string | null>;
  /** This device's latest own fix while sharing (sent or not): where an SOS says the rider is. */
  lastFix: ReadonlySignal<OwnFix | null>;
  /** Shows the riders of `groupId` (the open group) from now on. */
  watchGroup(groupId: string | null): void;
  startSharing(groupId: string, mode: ShareMode): Promise<void>;
  stopSharing(groupId: string): Promise<void>;
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
  const ridersByGroup = signal<ByGroup<Position>>({});
  const sharing = signal<Record<string, ShareMode>>({});
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
    storage.saveJson(
      consentKey,
      Object.fromEntries(Object.entries(sharing.value).filter(([, mode]) => mode === "gps")),
    );
  }

  async function subscribe(groupId: string): Promise<void> {
    const reply = await request(socket, "location:subscribe", { groupId });
    if (!reply.ok) return;
    ridersByGroup.value = {
      ...ridersByGroup.value,
      [groupId]: Object.fromEntries(reply.data.riders.map((p) => [p.userId, p])),
    };
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
    stopSource(groupId);
    sharing.value = { ...sharing.value, [groupId]: mode };
    saveConsent();
    pendingStops.delete(groupId);
    sharingProblem.value = null;
    if (socket.connected) await request(socket, "location:share", { groupId, sharing: true });
    // Stopped (or logged out) while the server answered: do not start the source after all.
    if (!running || sharing.value[groupId] !== mode || stoppers.has(groupId)) return;
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
    ridersByGroup.value = withEntry(ridersByGroup.value, position.groupId, position.userId, position);
  };
  const onStopped = ({ groupId, userId: rider }: RiderStopped) => {
    ridersByGroup.value = withEntry<Position>(ridersByGroup.value, groupId, rider, undefined);
  };
  const onConnect = () => {
    for (const groupId of pendingStops) socket.emit("location:share", { groupId, sharing: false }, ignoreAck);
    pendingStops.clear();
    // The server remembers sharing across reconnects; saying it again covers a server that forgot (embedded restart).
    for (const groupId of Object.keys(sharing.value))
      void request(socket, "location:share", { groupId, sharing: true });
    if (watchedGroup) void subscribe(watchedGroup);
  };

  return {
    ridersByGroup,
    sharing,
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
    async stopSharing(groupId) {
      stopSource(groupId);
      const next = { ...sharing.value };
      delete next[groupId];
      sharing.value = next;
      saveConsent();
      const told =
        socket.connected && (await request(socket, "location:share", { groupId, sharing: false })).ok;
      if (!told && !sharing.value[groupId]) pendingStops.add(groupId);
    },
    endSharing() {
      for (const groupId of [...stoppers.keys()]) stopSource(groupId);
      for (const groupId of Object.keys(sharing.value)) {
        if (socket.connected) socket.emit("location:share", { groupId, sharing: false }, ignoreAck);
      }
      storage.saveJson(consentKey, {});
      pendingStops.clear();
      sharing.value = {};
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
      for (const [groupId, mode] of Object.entries(
        storage.loadJson<Record<string, ShareMode>>(consentKey, {}),
      ))
        void startSharing(groupId, mode);
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
