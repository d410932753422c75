// "Simulate ride": replays a loop of road-like waypoints at riding speed, so
// the map can be shown (and tested) without GPS. Pure geometry, no timers.
export interface Fix {
  lat: number;
  lng: number;
  /** Degrees clockwise from north, [0, 360). */
  heading: number;
  /** m/s. */
  speed: number;
}

const EARTH_RADIUS_M = 6_371_000;
const toRad = (deg: number) => (deg * Math.PI) / 180;
const toDeg = (rad: number) => (rad * 180) / Math.PI;

export function distanceM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const dLat = toRad(b.lat - a.lat);
  const dLng = toRad(b.lng - a.lng);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(h));
}

export function bearingDeg(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const y = Math.sin(toRad(b.lng - a.lng)) * Math.cos(toRad(b.lat));
  const x =
    Math.cos(toRad(a.lat)) * Math.sin(toRad(b.lat)) -
    Math.sin(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.cos(toRad(b.lng - a.lng));
  return (toDeg(Math.atan2(y, x)) + 360) % 360;
}

/** A closed loop of about 6 km around `center`, wobbling like a country road. */
export function loopAround(
  center: { lat: number; lng: number },
  points = 48,
): Array<{ lat: number; lng: number }> {
  const radiusM = 1000;
  return Array.from({ length: points }, (_, i) => {
    const angle = (2 * Math.PI * i) / points;
    const r = radiusM * (1 + 0.25 * Math.sin(angle * 5));
    return {
      lat: center.lat + toDeg((r * Math.cos(angle)) / EARTH_RADIUS_M),
      lng: center.lng + toDeg((r * Math.sin(angle)) / (EARTH_RADIUS_M * Math.cos(toRad(center.lat)))),
    };
  });
}

/** Where a rider is after `travelledM` metres along the closed `route`, at `speed` m/s. */
export function positionAlong(
  route: ReadonlyArray<{ lat: number; lng: number }>,
  travelledM: number,
  speed: number,
): Fix {
  const legs = route.map((from, i) => ({ from, to: route[(i + 1) % route.length]! }));
  const total = legs.reduce((sum, leg) => sum + distanceM(leg.from, leg.to), 0);
  let left = ((travelledM % total) + total) % total;
  for (const { from, to } of legs) {
    const length = distanceM(from, to);
    if (left <= length) {
      const t = length === 0 ? 0 : left / length;
      return {
        lat: from.lat + (to.lat - from.lat) * t,
        lng: from.lng + (to.lng - from.lng) * t,
        heading: bearingDeg(from, to),
        speed,
      };
    }
    left -= length;
  }
  const { from, to } = legs[0]!;
  return { ...from, heading: bearingDeg(from, to), speed };
}
