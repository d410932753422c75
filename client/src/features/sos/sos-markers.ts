// The open SOSes of the group on its map: a red marker at each raiser's fix,
// and the map moves to one when an alert's "Show on the map" asks for it.
import L from "leaflet";
import { useEffect, useRef, type MutableRef } from "preact/hooks";
import { useUser } from "../../ui/use-app.ts";

const FOCUS_ZOOM = 16;

/** Built with the DOM, like the riders' markers: the name is text, never markup. */
function sosElement(username: string): HTMLElement {
  const marker = document.createElement("div");
  marker.className = "sos-marker";
  const badge = document.createElement("span");
  badge.className = "sos-badge";
  badge.textContent = "SOS";
  const name = document.createElement("span");
  name.className = "rider-name";
  name.textContent = username;
  marker.append(badge, name);
  return marker;
}

export function useSosMarkers(map: MutableRef<L.Map | null>, groupId: string): void {
  const { sos } = useUser();
  const markers = useRef(new Map<string, L.Marker>());
  const alerts = sos.open.value.filter((s) => s.groupId === groupId && s.fix);
  const focus = sos.mapFocus.value;

  useEffect(() => {
    const leaflet = map.current;
    if (!leaflet) return;
    const seen = new Set<string>();
    for (const alert of alerts) {
      const fix = alert.fix!;
      seen.add(alert.id);
      const existing = markers.current.get(alert.id);
      if (existing) existing.setLatLng([fix.lat, fix.lng]);
      else {
        const icon = L.divIcon({
          className: "sos-icon",
          html: sosElement(alert.username),
          iconSize: [28, 28],
        });
        const marker = L.marker([fix.lat, fix.lng], {
          icon,
          title: `SOS: ${alert.username}`,
          alt: `SOS from ${alert.username} on the map`,
          keyboard: true,
          zIndexOffset: 1000,
        }).addTo(leaflet);
        marker.getElement()?.setAttribute("data-sos", alert.id);
        markers.current.set(alert.id, marker);
      }
    }
    for (const [id, marker] of markers.current) {
      if (seen.has(id) && marker.getElement()?.isConnected) continue;
      marker.remove();
      markers.current.delete(id);
    }
    const wanted = alerts.find((a) => a.id === focus);
    if (wanted) {
      leaflet.setView([wanted.fix!.lat, wanted.fix!.lng], FOCUS_ZOOM);
      sos.focusOnMap(null);
    }
  });
}
