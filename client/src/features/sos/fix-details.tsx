// Where the raiser was: coordinates, accuracy, how old the fix is, and a link
// that opens it in OpenStreetMap (or a navigation app) outside Convoy.
import type { SosFix } from "@convoy/shared";
import { ago, clockTime } from "../../ui/time.ts";

export const osmUrl = ({ lat, lng }: SosFix) =>
  `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=17/${lat}/${lng}`;

export function FixDetails({ fix, at }: { fix: SosFix | null; at: number }) {
  if (!fix) return <p>No position: the rider was not sharing a location when they raised it.</p>;
  return (
    <p class="sos-fix">
      Last position {fix.lat.toFixed(5)}, {fix.lng.toFixed(5)}
      {fix.accuracy !== null && ` (within ${Math.round(fix.accuracy)} m)`}, from {clockTime(fix.ts)}:{" "}
      <strong data-testid="sos-fix-age">{ago(fix.ts, at)}</strong>.{" "}
      <a href={osmUrl(fix)} target="_blank" rel="noopener noreferrer">
        Open in OpenStreetMap<span class="visually-hidden"> (new tab)</span>
      </a>
    </p>
  );
}
