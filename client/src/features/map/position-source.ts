// Where this rider's positions come from while sharing: the device's location
// service, or a simulated ride for demos and tests. Starting one returns the
// function that stops it (its timer or its watch).
import type { Clock } from "../../net/clock.ts";
import { loopAround, positionAlong, type Fix } from "./simulated-ride.ts";

export type ShareMode = "gps" | "simulated";

/** What the app uses of the Geolocation API (`navigator.geolocation`). */
export type GeolocationLike = Pick<Geolocation, "watchPosition" | "clearWatch" | "getCurrentPosition">;

/** One update per second at most: what the server keeps anyway (5/s per group are allowed). */
export const SEND_EVERY_MS = 1000;
const SIMULATED_SPEED_MS = 15;

export function startPositionSource({
  mode,
  clock,
  geolocation,
  start,
  random,
  send,
  problem,
}: {
  mode: ShareMode;
  clock: Clock;
  /** Absent in a browser without a location service. */
  geolocation: GeolocationLike | undefined;
  /** Where a simulated ride goes round. */
  start: { lat: number; lng: number };
  random: () => number;
  send: (fix: Fix & { accuracy?: number | null }) => void;
  /** Why positions do not come (null: they do again). */
  problem: (message: string | null) => void;
}): () => void {
  if (mode === "simulated") {
    const route = loopAround(start);
    // Each rider starts somewhere else on the loop, so two simulated riders do not overlap.
    let travelled = random() * 3000;
    const timer = clock.setInterval(() => {
      travelled += (SIMULATED_SPEED_MS * SEND_EVERY_MS) / 1000;
      send(positionAlong(route, travelled, SIMULATED_SPEED_MS));
    }, SEND_EVERY_MS);
    send(positionAlong(route, travelled, SIMULATED_SPEED_MS));
    return () => clock.clearInterval(timer);
  }
  if (!geolocation) {
    problem("This browser has no location service. Try “Simulate ride”.");
    return () => {};
  }
  let lastSent = 0;
  const watch = geolocation.watchPosition(
    ({ coords }) => {
      if (clock.now() - lastSent < SEND_EVERY_MS) return;
      lastSent = clock.now();
      problem(null);
      send({
        lat: coords.latitude,
        lng: coords.longitude,
        accuracy: coords.accuracy,
        heading: coords.heading ?? Number.NaN,
        speed: coords.speed ?? Number.NaN,
      });
    },
    (error) => problem(locationProblem(error)),
    { enableHighAccuracy: true, maximumAge: 5000 },
  );
  return () => geolocation.clearWatch(watch);
}

/** What to tell the rider when the location service gave no position. */
export function locationProblem(error: GeolocationPositionError): string {
  return error.code === error.PERMISSION_DENIED
    ? "Location permission was refused. Allow it in the browser to share your position."
    : "Your position is not available right now.";
}
