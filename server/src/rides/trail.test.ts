import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { offset } from "./geo.ts";
import { Trail } from "./trail.ts";

const ORIGIN = { lat: 46.5, lng: 8.0 };

describe("Trail", () => {
  it("keeps a point about every 25 m on a straight, and the distance travelled", () => {
    const trail = new Trail();
    for (let i = 0; i <= 1000; i++) trail.add({ ...offset(ORIGIN, 0, i * 10), ts: i * 1000 });
    assert.ok(trail.points.length >= 330 && trail.points.length <= 410, String(trail.points.length));
    assert.ok(Math.abs(trail.length - 10_000) < 30);
    assert.equal(trail.latest?.ts, 1_000_000);
  });

  it("keeps more points where the road turns, and ignores fixes older than the newest", () => {
    const trail = new Trail();
    // A 20 m hairpin sampled every 6 m of arc: each fix turns the heading by ~17°, twice past 20°.
    for (let i = 0; i <= 10; i++) {
      const angle = Math.PI - (Math.PI * i) / 10;
      trail.add({ ...offset(ORIGIN, 20 + 20 * Math.cos(angle), 20 * Math.sin(angle)), ts: 1000 + i * 1000 });
    }
    assert.ok(trail.points.length >= 4, `${trail.points.length} points on a 63 m bend`);
    assert.equal(trail.add({ ...ORIGIN, ts: 500 }), false);
  });

  it("stays bounded: the oldest half thins, the length stays what was travelled", () => {
    const trail = new Trail({ maxPoints: 100 });
    for (let i = 0; i <= 2000; i++) trail.add({ ...offset(ORIGIN, 0, i * 30), ts: i * 1000 });
    assert.ok(trail.points.length <= 100);
    assert.ok(Math.abs(trail.length - 60_000) < 1);
  });
});
