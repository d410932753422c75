// The live map: the open group's sharing riders as markers with name and
// heading, greyed out with "n min ago" when their position is old; a
// fit-to-group button; the ride's trails and panel; the user's own sharing
// toggle and screen wake switch; and, with no tile server, a notice saying so.
import type { ClientConfig, Position } from "@convoy/shared";
import L from "leaflet";
import { useEffect, useRef, useState } from "preact/hooks";
import { ago } from "../../ui/time.ts";
import { useApp, useUser } from "../../ui/use-app.ts";
import { useSosMarkers } from "../sos/sos-markers.ts";
import { RideLayers } from "../ride/ride-layers.tsx";
import { RidePanel } from "../ride/ride-panel.tsx";
import { ScreenWakeControl } from "../wake-lock/screen-wake-control.tsx";
import { createGridLayer } from "./grid-layer.ts";

/** A position older than this is shown greyed out (the rider may be out of coverage). */
export const STALE_AFTER_MS = 30_000;

/**
 * Built with the DOM rather than an HTML string: the heading goes through the
 * CSSOM, as a style attribute would break the Content Security Policy (no
 * inline styles), and the name is text, never markup.
 */
function markerElement(position: Position, stale: boolean, mine: boolean, at: number): HTMLElement {
  const rider = document.createElement("div");
  rider.className = `rider${stale ? " stale" : ""}${mine ? " mine" : ""}`;
  const arrow = document.createElement("span");
  if (position.heading === null) arrow.className = "rider-dot";
  else {
    arrow.className = "rider-arrow";
    arrow.textContent = "▲";
    arrow.style.transform = `rotate(${position.heading}deg)`;
  }
  rider.append(arrow, textSpan("rider-name", mine ? `${position.username} (you)` : position.username));
  if (stale) rider.append(textSpan("rider-age", ago(position.ts, at)));
  return rider;
}

function textSpan(className: string, text: string): HTMLSpanElement {
  const span = document.createElement("span");
  span.className = className;
  span.textContent = text;
  return span;
}

export function RideMap({ groupId, config }: { groupId: string; config: ClientConfig }) {
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  // Also as state: the ride's layers render once the map exists.
  const [leaflet, setLeaflet] = useState<L.Map | null>(null);
  const markers = useRef(new Map<string, L.Marker>());
  const fitted = useRef(false);
  const app = useApp();
  const { location } = useUser();
  const riders = location.ridersByGroup.value[groupId] ?? {};
  const me = app.session.current.value?.user.id;
  const at = app.ticker.now.value;
  const mode = location.sharing.value[groupId];
  const forRide = location.rideSharing.value[groupId] !== undefined;

  useEffect(() => {
    if (!container.current) return;
    const created = L.map(container.current, { zoomControl: true }).setView([46.56, 8.56], 13);
    (config.mapTileUrl
      ? L.tileLayer(config.mapTileUrl, {
          maxZoom: 19,
          attribution: config.mapAttribution ?? "",
          // CORS answers, so the service worker may keep them for dead zones (an opaque
          // answer would count as megabytes against the quota); the tile server must allow it.
          crossOrigin: "anonymous",
        })
      : createGridLayer()
    ).addTo(created);
    map.current = created;
    setLeaflet(created);
    const resize = new ResizeObserver(() => created.invalidateSize());
    resize.observe(container.current);
    return () => {
      resize.disconnect();
      created.remove();
      map.current = null;
      setLeaflet(null);
      markers.current.clear();
    };
  }, [config.mapTileUrl, config.mapAttribution]);

  useEffect(() => {
    fitted.current = false;
  }, [groupId]);
  useSosMarkers(map, groupId);

  // Markers follow the riders; one marker per rider, moved rather than re-created.
  useEffect(() => {
    const leaflet = map.current;
    if (!leaflet) return;
    const seen = new Set<string>();
    for (const position of Object.values(riders)) {
      seen.add(position.userId);
      const stale = at - position.ts > STALE_AFTER_MS;
      const icon = L.divIcon({
        className: "rider-icon",
        html: markerElement(position, stale, position.userId === me, at),
        iconSize: [28, 28],
        iconAnchor: [14, 14],
      });
      const existing = markers.current.get(position.userId);
      if (existing) existing.setLatLng([position.lat, position.lng]).setIcon(icon);
      else {
        const marker = L.marker([position.lat, position.lng], {
          icon,
          title: position.username,
          alt: `${position.username} on the map`,
          keyboard: true,
        }).addTo(leaflet);
        marker.getElement()?.setAttribute("data-rider", position.username);
        markers.current.set(position.userId, marker);
      }
      markers.current.get(position.userId)?.getElement()?.setAttribute("data-stale", String(stale));
    }
    for (const [userId, marker] of markers.current) {
      if (seen.has(userId)) continue;
      marker.remove();
      markers.current.delete(userId);
    }
    if (!fitted.current && seen.size > 0) {
      fitted.current = true;
      fitToGroup();
    }
  });

  const fitToGroup = () => {
    const points = Object.values(riders).map((p) => L.latLng(p.lat, p.lng));
    if (!map.current || points.length === 0) return;
    map.current.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: 16 });
  };

  const riderCount = Object.keys(riders).length;
  return (
    <section class="ride-map" aria-labelledby="map-title">
      <div class="map-head">
        <div class="map-toolbar">
          <h2 id="map-title">Ride map</h2>
          <button type="button" onClick={fitToGroup} disabled={riderCount === 0}>
            Fit to group
          </button>
        </div>
        {/* Only once the server said so: a config that could not be loaded is not a server without tiles. */}
        {app.clientConfigLoaded.value && !config.mapTileUrl && (
          <p class="map-notice" data-testid="no-tiles">
            No map tiles: this server has no tile server configured. The operator sets MAP_TILE_URL (see the
            README's “Map tiles”).
          </p>
        )}
      </div>
      <div class="map" ref={container} role="region" aria-label={`Map with ${riderCount} riders`} />
      <RideLayers map={leaflet} groupId={groupId} />
      {/* Beside the map on a wide screen, under it on a phone. */}
      <div class="ride-side">
        <RidePanel groupId={groupId} />
        <div class="sharing" role="group" aria-labelledby="sharing-title">
          <h3 id="sharing-title">Share my position with this group</h3>
          {/* A ride's sharing ends with the ride: leaving it (above) is how to stop. */}
          {!forRide && (
            <div class="sharing-choices">
              <button
                type="button"
                aria-pressed={mode === "gps"}
                onClick={() =>
                  void (mode === "gps"
                    ? location.stopSharing(groupId)
                    : location.startSharing(groupId, "gps"))
                }
              >
                {mode === "gps" ? "Stop sharing" : "Share my location"}
              </button>
              <button
                type="button"
                aria-pressed={mode === "simulated"}
                onClick={() =>
                  void (mode === "simulated"
                    ? location.stopSharing(groupId)
                    : location.startSharing(groupId, "simulated"))
                }
              >
                {mode === "simulated" ? "Stop simulated ride" : "Simulate ride"}
              </button>
            </div>
          )}
          <p class="hint">
            {forRide
              ? "Shared for the ride: leave the ride to stop."
              : mode
                ? "Your group sees you on the map."
                : "Off: nobody sees where you are."}
          </p>
          {location.sharingProblem.value && (
            <p class="error" role="alert">
              {location.sharingProblem.value}
            </p>
          )}
          <ScreenWakeControl />
        </div>
      </div>
    </section>
  );
}
