// How distances, durations and planned end times of rides read on screen.
import type { RideAlert } from "@convoy/shared";

export function distance(m: number): string {
  if (m < 1000) return `${Math.round(m / 10) * 10} m`;
  return `${(m / 1000).toFixed(1)} km`;
}

export function duration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ""}`;
}

/** The next time the clock shows `hhmm` ("16:30") after `now`: today, or tomorrow when already past. */
export function nextAt(hhmm: string, now: number): number | null {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!match) return null;
  const at = new Date(now);
  at.setHours(Number(match[1]), Number(match[2]), 0, 0);
  if (at.getTime() <= now) at.setDate(at.getDate() + 1);
  return at.getTime();
}

/** An alert as the banner says it: "Bob is 2.1 km behind — regroup point on the map". */
export function alertText(alert: RideAlert, me: string): string {
  const you = alert.userId === me;
  const who = you ? "You are" : `${alert.username} is`;
  const what =
    alert.kind === "stopped"
      ? `${you ? "You have" : `${alert.username} has`} stopped`
      : alert.behindM === null
        ? `${who} away from the group's route`
        : `${who} ${distance(alert.behindM)} behind`;
  return alert.regroupAt ? `${what} — regroup point on the map` : what;
}
