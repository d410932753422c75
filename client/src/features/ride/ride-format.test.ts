import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RideAlert } from "@convoy/shared";
import { alertText, distance, duration, nextAt } from "./ride-format.ts";

describe("ride format", () => {
  it("distances in metres below a kilometre, else in km with one decimal", () => {
    assert.equal(distance(0), "0 m");
    assert.equal(distance(744), "740 m");
    assert.equal(distance(2104), "2.1 km");
  });

  it("durations in minutes, then hours and minutes", () => {
    assert.equal(duration(42 * 60_000), "42 min");
    assert.equal(duration(60 * 60_000), "1 h");
    assert.equal(duration(125 * 60_000), "2 h 5 min");
  });

  it("a planned end time is its next occurrence: today, or tomorrow once past", () => {
    const now = new Date(2025, 5, 1, 14, 0).getTime();
    assert.equal(nextAt("16:30", now), new Date(2025, 5, 1, 16, 30).getTime());
    assert.equal(nextAt("01:15", now), new Date(2025, 5, 2, 1, 15).getTime());
    assert.equal(nextAt("14:00", now), new Date(2025, 5, 2, 14, 0).getTime(), "now is past already");
    assert.equal(nextAt("", now), null);
  });

  it("an alert names the rider (or you) and points to the regroup point when there is one", () => {
    const alert: RideAlert = {
      rideId: "r1",
      groupId: "g1",
      userId: "u2",
      username: "Bob",
      kind: "gap",
      behindM: 2104,
      regroupAt: { lat: 46.5, lng: 8.6 },
      raisedAt: 0,
    };
    assert.equal(alertText(alert, "u1"), "Bob is 2.1 km behind — regroup point on the map");
    assert.equal(alertText({ ...alert, regroupAt: null }, "u2"), "You are 2.1 km behind");
    assert.equal(
      alertText({ ...alert, behindM: null, regroupAt: null }, "u1"),
      "Bob is away from the group's route",
    );
    assert.equal(
      alertText({ ...alert, kind: "stopped" }, "u1"),
      "Bob has stopped — regroup point on the map",
    );
  });
});
