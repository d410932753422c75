// A ride on the map: each rider's trail as a polyline in their colour (the
// live ride's, or a past ride's summary), the regroup point of each alert,
// and a legend naming the trails for those who cannot tell colours or see
// the map. Paths carry data-rider and data-points for tests.
import type { TrailPoint } from "@convoy/shared";
import L from "leaflet";
import { useEffect, useRef } from "preact/hooks";
import { useApp, useUser } from "../../ui/use-app.ts";
import { distance } from "./ride-format.ts";
import { trailColour } from "./trail-colour.ts";

interface DrawnTrail {
  userId: string;
  username: string;
  /** As shown: "(you)" added for the user. */
  name: string;
  colour: string;
  points: TrailPoint[];
  distanceM: number | null;
}

export function RideLayers({ map, groupId }: { map: L.Map | null; groupId: string }) {
  const { rides } = useUser();
  const me = useApp().session.current.value?.user.id;
  const summary = rides.summary.value?.groupId === groupId ? rides.summary.value : null;
  const ride = summary?.ride ?? rides.active.value[groupId];
  const live = rides.trails.value[groupId];
  const lines = useRef(new Map<string, L.Polyline>());
  const regroups = useRef(new Map<string, L.Marker>());
  const alerts = summary ? [] : Object.values(rides.alerts.value[groupId] ?? {});

  const drawn = (ride?.riders ?? []).flatMap((rider, i): DrawnTrail[] => {
    const name = rider.userId === me ? `${rider.username} (you)` : rider.username;
    const base = { userId: rider.userId, username: rider.username, name, colour: trailColour(i) };
    if (summary) {
      const trail = summary.trails.find((t) => t.userId === rider.userId);
      return trail ? [{ ...base, points: trail.points, distanceM: trail.distanceM }] : [];
    }
    const points = live?.rideId === ride?.id ? live?.byRider[rider.userId] : undefined;
    return points && points.length > 0 ? [{ ...base, points, distanceM: null }] : [];
  });

  useEffect(() => {
    if (!map) return;
    const seen = new Set<string>();
    for (const trail of drawn) {
      seen.add(trail.userId);
      const latLngs = trail.points.map(([lat, lng]) => L.latLng(lat, lng));
      let line = lines.current.get(trail.userId);
      if (line) line.setLatLngs(latLngs).setStyle({ color: trail.colour });
      else {
        line = L.polyline(latLngs, { color: trail.colour, weight: 4, opacity: 0.9, interactive: false });
        line.addTo(map);
        lines.current.set(trail.userId, line);
      }
      const path = line.getElement();
      path?.setAttribute("role", "img");
      path?.setAttribute("aria-label", `Trail of ${trail.name}`);
      path?.setAttribute("data-rider", trail.username);
      path?.setAttribute("data-points", String(trail.points.length));
    }
    for (const [userId, line] of lines.current) {
      if (seen.has(userId)) continue;
      line.remove();
      lines.current.delete(userId);
    }
  });

  useEffect(() => {
    if (!map) return;
    const seen = new Set<string>();
    for (const alert of alerts) {
      if (!alert.regroupAt) continue;
      seen.add(alert.userId);
      const existing = regroups.current.get(alert.userId);
      if (existing) {
        existing.setLatLng(alert.regroupAt);
        continue;
      }
      const marker = L.marker(alert.regroupAt, {
        icon: L.divIcon({ className: "regroup-icon", html: regroupElement(), iconSize: [80, 28] }),
        title: `Regroup point for ${alert.username}`,
        alt: `Regroup point for ${alert.username}`,
        keyboard: true,
      }).addTo(map);
      marker.getElement()?.setAttribute("data-regroup", alert.username);
      regroups.current.set(alert.userId, marker);
    }
    for (const [userId, marker] of regroups.current) {
      if (seen.has(userId)) continue;
      marker.remove();
      regroups.current.delete(userId);
    }
  });

  // A summary opened: the map shows its whole ride.
  const summaryId = summary?.ride.id;
  useEffect(() => {
    if (!map || !summaryId) return;
    const points = drawn.flatMap((t) => t.points.map(([lat, lng]) => L.latLng(lat, lng)));
    if (points.length > 0) map.fitBounds(L.latLngBounds(points).pad(0.2), { maxZoom: 16 });
    // Only when another summary opens, not as the trails change.
  }, [map, summaryId]);

  // Layers go with the map and the group.
  useEffect(
    () => () => {
      for (const line of lines.current.values()) line.remove();
      for (const marker of regroups.current.values()) marker.remove();
      lines.current.clear();
      regroups.current.clear();
    },
    [map, groupId],
  );

  if (drawn.length === 0) return null;
  return (
    <ul class="trail-legend" aria-label={summary ? `Trails of ${summary.ride.name}` : "Trails of the ride"}>
      {drawn.map((trail) => (
        <li key={trail.userId}>
          {/* A style object goes through the CSSOM, which the Content Security Policy allows. */}
          <span class="swatch" style={{ background: trail.colour }} aria-hidden="true" />
          {trail.name}
          {trail.distanceM !== null && `: ${distance(trail.distanceM)}`}
        </li>
      ))}
    </ul>
  );
}

function regroupElement(): HTMLElement {
  const label = document.createElement("span");
  label.className = "regroup";
  label.textContent = "Regroup";
  return label;
}
