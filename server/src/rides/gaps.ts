// Gap and regroup alerts during a ride, as pure domain code. Each rider's
// distance behind the front rider is measured along the front rider's trail
// (the road the group took), not in a straight line: around a hairpin two
// riders 40 m apart can be a kilometre apart on the road. A rider who stopped
// while the others move is noticed too. Each alert is raised once, with a
// suggested regroup point on the route ahead of the rider, and cleared when
// the gap closes.
import { bearingDeg, distanceM, localXY, turnDeg, type Fix } from "./geo.ts";
import type { Trail, TrailPoint } from "./trail.ts";

export interface GapOptions {
  /** Behind the front rider by more than this along the road: alert. */
  thresholdM: number;
  /** Not moved for this long while the front rider moves: alert. */
  stoppedMs: number;
  /** A rider further than this from the front rider's trail is off route: no distance is measured. */
  corridorM: number;
}

export const DEFAULT_GAPS: GapOptions = { thresholdM: 2000, stoppedMs: 5 * 60_000, corridorM: 300 };

export interface RiderGap {
  userId: string;
  /** Metres behind the front rider along its trail; null off route (or the front rider itself: 0). */
  behindM: number | null;
  /** ms since the rider last moved, while the front rider moves; 0 when moving. */
  stoppedMs: number;
}

export type GapAlert =
  | { type: "gap" | "stopped"; userId: string; behindM: number | null; regroupAt: Fix | null }
  | { type: "cleared"; userId: string };

/** Degrees of latitude that are surely more than `metres` (with a margin for the earth's shape). */
const corridorDegrees = (metres: number) => ((metres * 1.01) / 6_371_000) * (180 / Math.PI);

const CHUNK = 32;
interface Box {
  minLat: number;
  maxLat: number;
  minLng: number;
  maxLng: number;
}
/** Per points array, for the length it had (a live trail grows and thins in place). */
const chunkBoxes = new WeakMap<readonly TrailPoint[], { length: number; boxes: Box[] }>();

/** The bounding box of each run of CHUNK segments (a trail is measured against many riders). */
function chunkBoxesOf(points: readonly TrailPoint[]): Box[] {
  const known = chunkBoxes.get(points);
  if (known?.length === points.length) return known.boxes;
  const boxes: Box[] = [];
  for (let first = 0; first < points.length; first += CHUNK) {
    const box = { minLat: Infinity, maxLat: -Infinity, minLng: Infinity, maxLng: -Infinity };
    // Up to the end point of the chunk's last segment.
    for (let i = first; i <= Math.min(first + CHUNK, points.length - 1); i++) {
      const { lat, lng } = points[i]!;
      box.minLat = Math.min(box.minLat, lat);
      box.maxLat = Math.max(box.maxLat, lat);
      box.minLng = Math.min(box.minLng, lng);
      box.maxLng = Math.max(box.maxLng, lng);
    }
    boxes.push(box);
  }
  chunkBoxes.set(points, { length: points.length, boxes });
  return boxes;
}

/** Where `fix` lies along `points` (within the corridor), skipping legs that run against `heading`. */
export function alongTrail(
  points: readonly TrailPoint[],
  fix: Fix,
  heading: number | null,
  corridorM: number,
): number | null {
  let best: { along: number; off: number } | null = null;
  // A segment whose latitude or longitude span is further than the corridor from
  // the fix cannot hold it: skipped before any projection (most of a long trail).
  const latMargin = corridorDegrees(corridorM);
  const lngMargin = latMargin / Math.max(Math.cos((fix.lat * Math.PI) / 180), 0.01);
  const boxes = chunkBoxesOf(points);
  for (let i = 0; i + 1 < points.length; i++) {
    // A whole chunk of segments at a time first.
    if (i % CHUNK === 0) {
      const box = boxes[i / CHUNK]!;
      if (
        fix.lat < box.minLat - latMargin ||
        fix.lat > box.maxLat + latMargin ||
        fix.lng < box.minLng - lngMargin ||
        fix.lng > box.maxLng + lngMargin
      ) {
        i += CHUNK - 1;
        continue;
      }
    }
    const start = points[i]!;
    const end = points[i + 1]!;
    if (
      fix.lat < Math.min(start.lat, end.lat) - latMargin ||
      fix.lat > Math.max(start.lat, end.lat) + latMargin ||
      fix.lng < Math.min(start.lng, end.lng) - lngMargin ||
      fix.lng > Math.max(start.lng, end.lng) + lngMargin
    )
      continue;
    const b = localXY(start, end);
    const p = localXY(start, fix);
    const lengthSquared = b.x * b.x + b.y * b.y;
    const t = lengthSquared === 0 ? 0 : Math.min(1, Math.max(0, (p.x * b.x + p.y * b.y) / lengthSquared));
    const off = Math.hypot(p.x - t * b.x, p.y - t * b.y);
    if (off > corridorM || (best && off >= best.off)) continue;
    // The other leg of a hairpin runs the other way: not where this rider is.
    if (heading !== null && lengthSquared > 0 && turnDeg(bearingDeg(start, end), heading) > 100) continue;
    best = { along: start.along + t * (end.along - start.along), off };
  }
  return best?.along ?? null;
}

/** The point `along` metres along `points`. */
function pointAt(points: readonly TrailPoint[], along: number): Fix | null {
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    if (along <= end.along) {
      const t = end.along === start.along ? 0 : (along - start.along) / (end.along - start.along);
      return { lat: start.lat + t * (end.lat - start.lat), lng: start.lng + t * (end.lng - start.lng) };
    }
  }
  return points.at(-1) ?? null;
}

/** The rider's heading from its last kept point to where it is now (null when it has not moved). */
function headingOf(trail: Trail): number | null {
  const last = trail.points.at(-1);
  const before = trail.points.at(-2);
  if (trail.latest && last && distanceM(last, trail.latest) >= 5) return bearingDeg(last, trail.latest);
  return last && before ? bearingDeg(before, last) : null;
}

/** Metres along its own trail to where the rider is now. */
const progressOf = (trail: Trail): number =>
  trail.length + (trail.latest && trail.points.length ? distanceM(trail.points.at(-1)!, trail.latest) : 0);

const movedAgo = (trail: Trail, now: number): number => now - (trail.points.at(-1)?.ts ?? now);

/** The rider furthest ahead: the others lie behind its end along its trail (ties: the longest trail). */
function frontOf(trails: ReadonlyMap<string, Trail>, corridorM: number): string | null {
  let front: { userId: string; length: number } | null = null;
  for (const [userId, trail] of trails) {
    const end = progressOf(trail);
    const ahead = [...trails].every(([otherId, other]) => {
      if (otherId === userId || !other.latest) return true;
      const along = alongTrail(trail.points, other.latest, headingOf(other), corridorM);
      return along === null || along <= end + 50;
    });
    if (ahead && (!front || end > front.length)) front = { userId, length: end };
  }
  return front?.userId ?? null;
}

/** Each rider's gap behind the front rider, now. */
export function measureGaps(
  trails: ReadonlyMap<string, Trail>,
  now: number,
  options: GapOptions = DEFAULT_GAPS,
): { frontId: string | null; gaps: RiderGap[] } {
  const frontId = frontOf(trails, options.corridorM);
  const front = frontId === null ? null : trails.get(frontId)!;
  const frontMoving = front !== null && movedAgo(front, now) < options.stoppedMs;
  const gaps = [...trails].map(([userId, trail]): RiderGap => {
    if (!front || userId === frontId || !trail.latest) return { userId, behindM: 0, stoppedMs: 0 };
    const along = alongTrail(front.points, trail.latest, headingOf(trail), options.corridorM);
    const idle = movedAgo(trail, now);
    return {
      userId,
      behindM: along === null ? null : Math.max(0, progressOf(front) - along),
      stoppedMs: frontMoving && idle >= options.stoppedMs ? idle : 0,
    };
  });
  return { frontId, gaps };
}

/**
 * The alerts of one ride over time: `check` raises a rider's alert once when
 * the gap passes the threshold (or the rider stopped), and clears it when the
 * gap is back under three quarters of it and the rider moves.
 */
export function createGapWatch(
  options: GapOptions = DEFAULT_GAPS,
  /** Alerts raised earlier (by this watch's predecessor, kept in a store): not raised again. */
  raised: ReadonlyMap<string, "gap" | "stopped"> = new Map(),
) {
  const alerted = new Map(raised);
  return {
    check(trails: ReadonlyMap<string, Trail>, now: number): GapAlert[] {
      const { frontId, gaps } = measureGaps(trails, now, options);
      const front = frontId === null ? null : trails.get(frontId)!;
      const alerts: GapAlert[] = [];
      for (const gap of gaps) {
        const far = gap.behindM !== null && gap.behindM > options.thresholdM;
        const stopped = gap.stoppedMs > 0;
        const closed = !stopped && (gap.behindM === null || gap.behindM < 0.75 * options.thresholdM);
        if (!alerted.has(gap.userId) && (far || stopped)) {
          const type = far ? "gap" : "stopped";
          alerted.set(gap.userId, type);
          // Halfway between the rider and the front, on the road: both ride towards it.
          const riderAlong = gap.behindM === null || !front ? null : progressOf(front) - gap.behindM;
          const regroupAt =
            riderAlong === null || !front ? null : pointAt(front.points, riderAlong + gap.behindM! / 2);
          alerts.push({ type, userId: gap.userId, behindM: gap.behindM, regroupAt });
        } else if (alerted.has(gap.userId) && closed) {
          alerted.delete(gap.userId);
          alerts.push({ type: "cleared", userId: gap.userId });
        }
      }
      for (const userId of alerted.keys()) {
        if (!trails.has(userId)) alerted.delete(userId);
      }
      return alerts;
    },
  };
}
