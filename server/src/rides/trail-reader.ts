// With several nodes, the node that measures a ride's gaps reads every rider's
// stored trail every few seconds. This reads only what was added since its
// last read: each known trail from its last point on. If that point is still
// there, the trail was only extended; if not, it was thinned (replaced) and is
// read whole. Points' times strictly increase, so the test is exact.
import type { StoredTrailPoint } from "../stores/types.ts";

/** A store's trail read: every rider's trail, or for a rider in `from`, its points from that index on. */
export type ReadTrails = (
  rideId: string,
  from?: ReadonlyMap<string, number>,
) => Promise<Map<string, StoredTrailPoint[]>>;

export function createTrailReader(readTrails: ReadTrails) {
  /** Each ride's trails as read so far. */
  const known = new Map<string, Map<string, StoredTrailPoint[]>>();

  return {
    /** The ride's stored trails, now. The maps and arrays are this reader's: read them, do not change them. */
    async read(rideId: string): Promise<ReadonlyMap<string, readonly StoredTrailPoint[]>> {
      let trails = known.get(rideId);
      if (!trails) known.set(rideId, (trails = new Map<string, StoredTrailPoint[]>()));
      const lastIndexes = new Map(
        [...trails].map(([userId, points]) => [userId, Math.max(0, points.length - 1)]),
      );
      const replaced = new Set<string>();
      for (const [userId, tail] of await readTrails(rideId, lastIndexes)) {
        const had = trails.get(userId);
        if (!had || had.length === 0) trails.set(userId, tail);
        else if (tail[0]?.ts === had.at(-1)!.ts) had.push(...tail.slice(1));
        else replaced.add(userId);
      }
      if (replaced.size > 0) {
        // The others from their ends: nothing of theirs comes back.
        const from = new Map(
          [...trails].map(([userId, points]) => [userId, replaced.has(userId) ? 0 : points.length]),
        );
        for (const [userId, points] of await readTrails(rideId, from))
          if (replaced.has(userId)) trails.set(userId, points);
      }
      return trails;
    },

    /** Forgets the rides not in `rideIds` (ended), or every ride. */
    retainOnly(rideIds: ReadonlySet<string>): void {
      for (const rideId of known.keys()) if (!rideIds.has(rideId)) known.delete(rideId);
    },
  };
}
export type TrailReader = ReturnType<typeof createTrailReader>;
