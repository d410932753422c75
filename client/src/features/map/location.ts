// Live positions of the open group's riders, and this user's own sharing.
// Sharing is an explicit choice per group (consent); its source is the
// browser's Geolocation API, or a simulated ride for demos and tests.
import type { Position } from "@convoy/shared";
import { signal } from "@preact/signals";
import { locationSocket, request } from "../../net/connection.ts";
import { loadJson, saveJson } from "../../net/storage.ts";
import { loopAround, positionAlong, type Fix } from "./simulated-ride.ts";
import { withEntry } from "../by-group.ts";

export type ShareMode = "gps" | "simulated";

/** groupId → userId → last position. */
export const ridersByGroup = signal<Record<string, Record<string, Position>>>({});
/** groupId → how this user shares there (absent: not sharing). */
export const sharing = signal<Record<string, ShareMode>>({});
/** Why sharing stopped or cannot start (permission refused, no GPS…). */
export const sharingProblem = signal<string | null>(null);

/** One update per second at most: what the server keeps anyway (5/s per group are allowed). */
const SEND_EVERY_MS = 1000;
const SIMULATED_SPEED_MS = 15;
const DEFAULT_CENTER = { lat: 46.56, lng: 8.56 };

let userKey = "";
let watchedGroup: string | null = null;
const stoppers = new Map<string, () => void>();

function setRider(position: Position): void {
  ridersByGroup.value = withEntry(ridersByGroup.value, position.groupId, position.userId, position);
}

function removeRider(groupId: string, userId: string): void {
  ridersByGroup.value = withEntry<Position>(ridersByGroup.value, groupId, userId, undefined);
}

async function subscribe(groupId: string): Promise<void> {
  const reply = await request(locationSocket, "location:subscribe", { groupId });
  if (!reply.ok) return;
  ridersByGroup.value = {
    ...ridersByGroup.value,
    [groupId]: Object.fromEntries(reply.data.riders.map((p) => [p.userId, p])),
  };
}

/** Shows the riders of `groupId` (the open group) from now on. */
export function watchGroup(groupId: string | null): void {
  if (watchedGroup === groupId) return;
  const previous = watchedGroup;
  watchedGroup = groupId;
  if (!locationSocket.connected) return;
  if (previous) void request(locationSocket, "location:unsubscribe", { groupId: previous });
  if (groupId) void subscribe(groupId);
}

export function startLocation(userId: string): void {
  userKey = `convoy.${userId}.sharing`;
  // Consent given earlier on this device is kept; the sources start again.
  for (const [groupId, mode] of Object.entries(loadJson<Record<string, ShareMode>>(userKey, {})))
    void startSharing(groupId, mode);
}

/** Logging out ends sharing for real: the server forgets the position, and this device the consent. */
export function stopLocation(): void {
  for (const stop of stoppers.values()) stop();
  stoppers.clear();
  for (const groupId of Object.keys(sharing.value)) {
    if (locationSocket.connected)
      locationSocket.emit("location:share", { groupId, sharing: false }, ignoreAck);
  }
  if (userKey) saveJson(userKey, {});
  pendingStops.clear();
  sharing.value = {};
  sharingProblem.value = null;
  ridersByGroup.value = {};
  watchedGroup = null;
}

// Positions are fire-and-forget: the next one replaces a lost one.
const ignoreAck = () => {};
/** Groups where the rider stopped sharing while the server could not be told: told on the next connect. */
const pendingStops = new Set<string>();

/** Only GPS consent outlives a reload; a simulated ride is a demo of the moment. */
function saveConsent(): void {
  saveJson(userKey, Object.fromEntries(Object.entries(sharing.value).filter(([, mode]) => mode === "gps")));
}

/** Without an ack: the next fix supersedes this one, and an answer would cost a packet per fix on mobile data. */
function send(groupId: string, fix: Fix & { accuracy?: number | null }): void {
  if (!locationSocket.connected) return;
  locationSocket.emit("location:update", {
    groupId,
    lat: fix.lat,
    lng: fix.lng,
    accuracy: fix.accuracy ?? null,
    heading: Number.isFinite(fix.heading) ? fix.heading % 360 : null,
    speed: Number.isFinite(fix.speed) ? Math.max(fix.speed, 0) : null,
    ts: Date.now(),
  });
}

function startSource(groupId: string, mode: ShareMode): () => void {
  if (mode === "simulated") {
    const mine = Object.values(ridersByGroup.value[groupId] ?? {})[0];
    const route = loopAround(mine ?? DEFAULT_CENTER);
    // Each rider starts somewhere else on the loop, so two simulated riders do not overlap.
    let travelled = Math.random() * 3000;
    const timer = setInterval(() => {
      travelled += (SIMULATED_SPEED_MS * SEND_EVERY_MS) / 1000;
      send(groupId, positionAlong(route, travelled, SIMULATED_SPEED_MS));
    }, SEND_EVERY_MS);
    send(groupId, positionAlong(route, travelled, SIMULATED_SPEED_MS));
    return () => clearInterval(timer);
  }
  if (!("geolocation" in navigator)) {
    sharingProblem.value = "This browser has no location service. Try “Simulate ride”.";
    return () => {};
  }
  let lastSent = 0;
  const watch = navigator.geolocation.watchPosition(
    ({ coords }) => {
      if (Date.now() - lastSent < SEND_EVERY_MS) return;
      lastSent = Date.now();
      sharingProblem.value = null;
      send(groupId, {
        lat: coords.latitude,
        lng: coords.longitude,
        accuracy: coords.accuracy,
        heading: coords.heading ?? Number.NaN,
        speed: coords.speed ?? Number.NaN,
      });
    },
    (error) => {
      sharingProblem.value =
        error.code === error.PERMISSION_DENIED
          ? "Location permission was refused. Allow it in the browser to share your position."
          : "Your position is not available right now.";
    },
    { enableHighAccuracy: true, maximumAge: 5000 },
  );
  return () => navigator.geolocation.clearWatch(watch);
}

export async function startSharing(groupId: string, mode: ShareMode): Promise<void> {
  stoppers.get(groupId)?.();
  stoppers.delete(groupId);
  sharing.value = { ...sharing.value, [groupId]: mode };
  saveConsent();
  pendingStops.delete(groupId);
  sharingProblem.value = null;
  if (locationSocket.connected) await request(locationSocket, "location:share", { groupId, sharing: true });
  // Stopped (or logged out) while the server answered: do not start the source after all.
  if (sharing.value[groupId] !== mode || stoppers.has(groupId)) return;
  stoppers.set(groupId, startSource(groupId, mode));
}

export async function stopSharing(groupId: string): Promise<void> {
  stoppers.get(groupId)?.();
  stoppers.delete(groupId);
  const next = { ...sharing.value };
  delete next[groupId];
  sharing.value = next;
  saveConsent();
  const told =
    locationSocket.connected &&
    (await request(locationSocket, "location:share", { groupId, sharing: false })).ok;
  if (!told && !sharing.value[groupId]) pendingStops.add(groupId);
}

locationSocket.on("location:update", setRider);
locationSocket.on("location:stopped", ({ groupId, userId }) => removeRider(groupId, userId));
locationSocket.on("connect", () => {
  for (const groupId of pendingStops)
    locationSocket.emit("location:share", { groupId, sharing: false }, ignoreAck);
  pendingStops.clear();
  // The server remembers sharing across reconnects; saying it again covers a server that forgot (embedded restart).
  for (const groupId of Object.keys(sharing.value))
    void request(locationSocket, "location:share", { groupId, sharing: true });
  if (watchedGroup) void subscribe(watchedGroup);
});
