import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bearingDeg, distanceM, loopAround, positionAlong } from "./simulated-ride.ts";

describe("simulated ride", () => {
  const center = { lat: 46.5, lng: 8.0 };
  const route = loopAround(center);

  it("is a loop of a few kilometres around its centre", () => {
    const length = route.reduce((sum, p, i) => sum + distanceM(p, route[(i + 1) % route.length]!), 0);
    assert.ok(length > 4000 && length < 10_000, `${length} m`);
    for (const point of route) assert.ok(distanceM(point, center) < 1500);
  });

  it("moves forward along the route and heads where it goes", () => {
    const a = positionAlong(route, 100, 15);
    const b = positionAlong(route, 115, 15);
    assert.ok(distanceM(a, b) > 10 && distanceM(a, b) < 20);
    assert.ok(Math.abs(bearingDeg(a, b) - a.heading) < 5);
    assert.ok(a.heading >= 0 && a.heading < 360);
  });

  it("wraps around: one lap later it is back where it was", () => {
    const length = route.reduce((sum, p, i) => sum + distanceM(p, route[(i + 1) % route.length]!), 0);
    const a = positionAlong(route, 250, 15);
    const b = positionAlong(route, 250 + length, 15);
    assert.ok(distanceM(a, b) < 1);
  });
});
