// Gap alerts on generated tracks: a straight, a winding road, a hairpin, a
// parallel road and a stop. Tracks are metres east/north of a point in the Alps.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alongTrail, createGapWatch, measureGaps, type GapOptions } from "./gaps.ts";
import { distanceM, localXY, offset, type Fix } from "./geo.ts";
import { Trail } from "./trail.ts";

const ORIGIN: Fix = { lat: 46.5, lng: 8.0 };
type XY = [number, number];

/** A road through `corners`, sampled every metre. */
function road(corners: XY[]): XY[] {
  const out: XY[] = [corners[0]!];
  for (let i = 1; i < corners.length; i++) {
    const [x0, y0] = corners[i - 1]!;
    const [x1, y1] = corners[i]!;
    const steps = Math.max(1, Math.round(Math.hypot(x1 - x0, y1 - y0)));
    for (let s = 1; s <= steps; s++) out.push([x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps]);
  }
  return out;
}

/** A rider who rode `untilM` metres of `path` (a fix every 10 m), arriving at `endTs`. */
function ride(path: XY[], untilM: number, endTs: number, shiftEast = 0): Trail {
  const trail = new Trail();
  const fixes: Fix[] = [];
  let travelled = 0;
  for (let i = 0; i < path.length && travelled <= untilM; i++) {
    if (i > 0) travelled += Math.hypot(path[i]![0] - path[i - 1]![0], path[i]![1] - path[i - 1]![1]);
    if (i % 10 === 0 || travelled >= untilM) fixes.push(offset(ORIGIN, path[i]![0] + shiftEast, path[i]![1]));
  }
  fixes.forEach((fix, i) => trail.add({ ...fix, ts: Math.round((endTs * (i + 1)) / fixes.length) }));
  return trail;
}

const straight = road([
  [0, 0],
  [0, 10_000],
]);
const NOW = 1_000_000;
const options: GapOptions = { thresholdM: 2000, stoppedMs: 5 * 60_000, corridorM: 300 };
const gapOf = (trails: Map<string, Trail>, userId: string, opts = options) =>
  measureGaps(trails, NOW, opts).gaps.find((gap) => gap.userId === userId)!;

describe("gap alerts", () => {
  it("on a straight: the gap along the road, one alert with a regroup point ahead, cleared when it closes", () => {
    const trails = new Map([
      ["front", ride(straight, 5000, NOW)],
      ["back", ride(straight, 2500, NOW)],
    ]);
    const { frontId } = measureGaps(trails, NOW, options);
    assert.equal(frontId, "front");
    assert.ok(Math.abs(gapOf(trails, "back").behindM! - 2500) < 30, String(gapOf(trails, "back").behindM));

    const watch = createGapWatch(options);
    const [alert, ...rest] = watch.check(trails, NOW);
    assert.deepEqual(rest, []);
    assert.equal(alert?.type, "gap");
    assert.equal(alert?.type === "gap" && alert.userId, "back");
    const regroup = alert?.type === "gap" ? alert.regroupAt! : ORIGIN;
    assert.ok(Math.abs(localXY(ORIGIN, regroup).y - 3750) < 50, "halfway, on the road ahead of the rider");
    assert.deepEqual(watch.check(trails, NOW), [], "raised once");

    trails.set("back", ride(straight, 4000, NOW));
    assert.deepEqual(watch.check(trails, NOW), [{ type: "cleared", userId: "back" }]);
  });

  it("on a winding road: 2.5 km behind on the road is a gap, though the straight line is shorter", () => {
    const winding = road(
      Array.from({ length: 81 }, (_, i): XY => [400 * Math.sin((2 * Math.PI * i * 50) / 1000), i * 50]),
    );
    const front = ride(winding, 6000, NOW);
    const back = ride(winding, 3500, NOW);
    const trails = new Map([
      ["front", front],
      ["back", back],
    ]);
    assert.ok(distanceM(front.latest!, back.latest!) < 2000, "as the crow flies, within 2 km");
    assert.ok(Math.abs(gapOf(trails, "back").behindM! - 2500) < 60, String(gapOf(trails, "back").behindM));
    assert.equal(createGapWatch(options).check(trails, NOW)[0]?.type, "gap");
  });

  it("around a hairpin: 40 m apart across the bend but a kilometre apart on the road", () => {
    // North 1.5 km, a 20 m hairpin, south again 40 m to the east.
    const bend = Array.from({ length: 19 }, (_, i): XY => {
      const angle = Math.PI - (Math.PI * i) / 18;
      return [20 + 20 * Math.cos(angle), 1500 + 20 * Math.sin(angle)];
    });
    const hairpin = road([[0, 0], ...bend, [40, 0]]);
    const turnLength = Math.PI * 20;
    const front = ride(hairpin, 1500 + turnLength + 500, NOW);
    const back = ride(hairpin, 1000, NOW);
    const trails = new Map([
      ["front", front],
      ["back", back],
    ]);
    assert.ok(distanceM(front.latest!, back.latest!) < 45);
    assert.equal(measureGaps(trails, NOW, options).frontId, "front");
    const behind = gapOf(trails, "back").behindM!;
    assert.ok(Math.abs(behind - (500 + turnLength + 500)) < 40, String(behind));
    assert.equal(createGapWatch({ ...options, thresholdM: 1000 }).check(trails, NOW)[0]?.type, "gap");
    // GPS 25 m off towards the other leg (15 m from it): the heading (north) still says which leg.
    trails.set("drifted", ride(hairpin, 1000, NOW, 25));
    const drifted = gapOf(trails, "drifted").behindM!;
    assert.ok(Math.abs(drifted - (500 + turnLength + 500)) < 40, String(drifted));
    assert.deepEqual(createGapWatch(options).check(trails, NOW), [], "under 2 km: no alert");
  });

  it("on a parallel road: measured against the front's road while within the corridor; off route beyond it", () => {
    const trails = new Map([
      ["front", ride(straight, 5000, NOW)],
      ["behind", ride(straight, 2000, NOW, 150)],
      ["level", ride(straight, 5000, NOW, 150)],
      ["elsewhere", ride(straight, 1000, NOW, 1000)],
    ]);
    assert.ok(Math.abs(gapOf(trails, "behind").behindM! - 3000) < 30);
    assert.ok(gapOf(trails, "level").behindM! < 30);
    assert.equal(gapOf(trails, "elsewhere").behindM, null, "off route: not measured");
    const alerts = createGapWatch(options).check(trails, NOW);
    assert.deepEqual(
      alerts.map((alert) => alert.userId),
      ["behind"],
    );
  });

  it("a rider who stopped while the front rides on: one stopped alert, cleared when they ride again", () => {
    const wide = { ...options, thresholdM: 10_000 };
    const front = ride(straight, 6000, NOW);
    const back = ride(straight, 2000, NOW - 7 * 60_000);
    // Still reporting from the same place: a fix every 10 s for 7 minutes.
    for (let ts = NOW - 7 * 60_000 + 10_000; ts <= NOW; ts += 10_000) back.add({ ...back.latest!, ts });
    const trails = new Map([
      ["front", front],
      ["back", back],
    ]);
    const watch = createGapWatch(wide);
    const [alert] = watch.check(trails, NOW);
    assert.equal(alert?.type, "stopped");
    assert.ok(gapOf(trails, "back", wide).stoppedMs >= 7 * 60_000 - 10_000);
    trails.set("back", ride(straight, 2100, NOW));
    assert.deepEqual(watch.check(trails, NOW), [{ type: "cleared", userId: "back" }]);
  });

  it("long trails: a rider is placed the same wherever on 2,000 points, also on the part added since the last look", () => {
    // A zig-zag 50 km road: the chunks skipped by their bounding boxes must never hide the rider.
    const corners: XY[] = Array.from({ length: 101 }, (_, i) => [i % 2 === 0 ? 0 : 400, i * 500]);
    const path = road(corners);
    const trail = ride(path, 40_000, 1_000_000);
    assert.ok(trail.points.length > 1000, `${trail.points.length} points`);
    /** Where the rider 20 m beside the road at `metres` is placed, and the trail point nearest the road there. */
    const probe = (metres: number) => {
      const [x, y] = path[metres]!;
      const onRoad = offset(ORIGIN, x, y);
      const nearest = trail.points.reduce((a, b) => (distanceM(a, onRoad) <= distanceM(b, onRoad) ? a : b));
      return {
        along: alongTrail(trail.points, offset(ORIGIN, x + 20, y), null, 300),
        expected: distanceM(nearest, onRoad) < 30 ? nearest.along : null,
      };
    };
    for (const metres of [10, 5_000, 17_321, 33_000, 39_900]) {
      const { along, expected } = probe(metres);
      assert.ok(
        along !== null && expected !== null && Math.abs(along - expected) < 40,
        `at ${metres} m: ${along}`,
      );
    }
    // Asked once, then the trail grows in place: the new part is found too.
    assert.equal(probe(45_000).along, null, "not ridden yet");
    let travelled = 40_000;
    for (let i = 40_001; i <= 46_000; i += 10) {
      travelled += 10;
      const [x, y] = path[i]!;
      trail.add({ ...offset(ORIGIN, x, y), ts: 1_000_000 + travelled });
    }
    const { along, expected } = probe(45_000);
    assert.ok(along !== null && expected !== null && Math.abs(along - expected) < 40, `${along}`);
  });
});
