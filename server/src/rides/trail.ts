// A rider's track during a ride, thinned as it grows: a point is kept every
// ~25 m, or sooner where the road turns, so that a hairpin keeps its shape and
// a straight keeps few points. Bounded: past `maxPoints`, every other old
// point goes (the shape survives, the detail of the oldest part thins).
import { bearingDeg, distanceM, turnDeg, type Fix } from "./geo.ts";

export interface TrailPoint extends Fix {
  /** Device time, ms. */
  ts: number;
  /** Metres along the trail from its first point. */
  along: number;
}

export interface TrailOptions {
  /** A point is kept once the rider is this far from the last kept one. */
  spacingM: number;
  /** ...or this far, when the heading changed by at least turnDeg since the last kept one. */
  turnSpacingM: number;
  turnDeg: number;
  maxPoints: number;
}

export const DEFAULT_TRAIL: TrailOptions = { spacingM: 25, turnSpacingM: 5, turnDeg: 20, maxPoints: 2000 };

export class Trail {
  readonly points: TrailPoint[] = [];
  /** The newest fix, kept or not: the rider is here now. */
  latest: (Fix & { ts: number }) | null = null;
  private readonly options: TrailOptions;

  constructor(options: Partial<TrailOptions> = {}) {
    this.options = { ...DEFAULT_TRAIL, ...options };
  }

  /** A trail as stored, to add to or to measure; `latest` defaults to its last point. */
  static from(points: readonly TrailPoint[], options: Partial<TrailOptions> = {}): Trail {
    const trail = new Trail(options);
    trail.points.push(...points.map((p) => ({ lat: p.lat, lng: p.lng, ts: p.ts, along: p.along })));
    const last = points.at(-1);
    trail.latest = last ? { lat: last.lat, lng: last.lng, ts: last.ts } : null;
    return trail;
  }

  /** Length in metres up to the last kept point. */
  get length(): number {
    return this.points.at(-1)?.along ?? 0;
  }

  /** Adds a fix; true when it was kept as a trail point. Older fixes than the newest are ignored. */
  add(fix: Fix & { ts: number }): boolean {
    if (this.latest && fix.ts <= this.latest.ts) return false;
    this.latest = { lat: fix.lat, lng: fix.lng, ts: fix.ts };
    const last = this.points.at(-1);
    if (!last) {
      this.points.push({ ...this.latest, along: 0 });
      return true;
    }
    const step = distanceM(last, fix);
    const before = this.points.at(-2);
    const turned =
      before !== undefined && step >= this.options.turnSpacingM
        ? turnDeg(bearingDeg(before, last), bearingDeg(last, fix)) >= this.options.turnDeg
        : false;
    if (step < this.options.spacingM && !turned) return false;
    this.points.push({ ...this.latest, along: last.along + step });
    if (this.points.length > this.options.maxPoints) this.halveOldest();
    return true;
  }

  /** Drops every other point of the older half; `along` keeps the distance actually travelled. */
  private halveOldest(): void {
    const half = Math.floor(this.points.length / 2);
    const kept = this.points.slice(0, half).filter((_, i) => i % 2 === 0);
    this.points.splice(0, half, ...kept);
  }
}
