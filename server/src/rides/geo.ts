// Distances on the earth for ride geometry: haversine between fixes, and a
// local flat frame (metres east and north of a point) for projections, which
// is accurate to well under a metre over the few kilometres it is used for.

export interface Fix {
  lat: number;
  lng: number;
}

const EARTH_RADIUS_M = 6_371_000;
const toRadians = (degrees: number) => (degrees * Math.PI) / 180;

export function distanceM(a: Fix, b: Fix): number {
  const dLat = toRadians(b.lat - a.lat);
  const dLng = toRadians(b.lng - a.lng);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** `point` as metres east (x) and north (y) of `origin`. */
export function localXY(origin: Fix, point: Fix): { x: number; y: number } {
  return {
    x: toRadians(point.lng - origin.lng) * Math.cos(toRadians(origin.lat)) * EARTH_RADIUS_M,
    y: toRadians(point.lat - origin.lat) * EARTH_RADIUS_M,
  };
}

/** The fix `metres` east and `north` metres north of `origin` (for tests and generated tracks). */
export function offset(origin: Fix, east: number, north: number): Fix {
  return {
    lat: origin.lat + (north / EARTH_RADIUS_M) * (180 / Math.PI),
    lng: origin.lng + (east / (EARTH_RADIUS_M * Math.cos(toRadians(origin.lat)))) * (180 / Math.PI),
  };
}

/** Heading from a to b in degrees clockwise from north, in the local frame. */
export function bearingDeg(a: Fix, b: Fix): number {
  const { x, y } = localXY(a, b);
  return ((Math.atan2(x, y) * 180) / Math.PI + 360) % 360;
}

/** The smallest angle between two headings, 0–180°. */
export const turnDeg = (from: number, to: number): number => {
  const d = Math.abs(from - to) % 360;
  return d > 180 ? 360 - d : d;
};
