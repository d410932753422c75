import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Position } from "@convoy/shared";
import { DEFAULT_LIMITS } from "../limits.ts";
import { createEmbeddedStores } from "../stores/embedded.ts";
import { openDatabase } from "../stores/sqlite/database.ts";
import type { RideStore } from "../stores/types.ts";
import type { Groups } from "./groups.ts";
import type { Locations } from "./locations.ts";
import { createRides } from "./rides.ts";

const position: Position = {
  groupId: "g1",
  userId: "u1",
  username: "ana",
  lat: 46.5,
  lng: 8.5,
  accuracy: null,
  heading: null,
  speed: null,
  ts: 1,
};

/** Rides on a real SQLite store, counting how often a group's ride under way is read from it. */
function ridesCountingReads(crossNode: boolean) {
  const stores = createEmbeddedStores(openDatabase(":memory:"), { messagesPerGroup: 100 });
  let reads = 0;
  const store: RideStore = {
    ...stores.rides,
    activeIn(groupId) {
      reads++;
      return stores.rides.activeIn(groupId);
    },
  };
  let now = 1_000_000;
  const clock = { now: () => now };
  // A position with no ride under way touches neither membership nor sharing.
  const rides = createRides(
    store,
    stores.groups,
    {} as Groups,
    {} as Locations,
    clock,
    DEFAULT_LIMITS,
    crossNode,
  );
  return { rides, reads: () => reads, advance: (ms: number) => (now += ms) };
}

describe("rides: which ride is under way, per position", () => {
  it("alone (embedded), reads the store once per group however long it runs", async () => {
    const { rides, reads, advance } = ridesCountingReads(false);
    await rides.observe(position);
    for (let i = 0; i < 5; i++) {
      advance(60_000);
      await rides.observe(position);
    }
    assert.equal(reads(), 1);
  });

  it("with other nodes, reads it again once what it read may be stale", async () => {
    const { rides, reads, advance } = ridesCountingReads(true);
    await rides.observe(position);
    await rides.observe(position);
    assert.equal(reads(), 1, "within the cache's time, one read");
    advance(60_000);
    await rides.observe(position);
    assert.equal(reads(), 2, "another node may have started a ride since");
  });
});
