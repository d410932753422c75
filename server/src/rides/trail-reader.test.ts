import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StoredTrailPoint } from "../stores/types.ts";
import { createTrailReader } from "./trail-reader.ts";

const point = (ts: number): StoredTrailPoint => ({ lat: 46.5 + ts / 1e5, lng: 8, ts, along: ts * 10 });
const points = (...times: number[]) => times.map(point);

/** Trails kept as a store keeps them, counting the points each read hands out. */
function fakeStore() {
  const trails = new Map<string, StoredTrailPoint[]>();
  let handedOut = 0;
  return {
    trails,
    takeHandedOut: () => [handedOut, (handedOut = 0)][0]!,
    read: async (_rideId: string, from?: ReadonlyMap<string, number>) => {
      const answer = new Map<string, StoredTrailPoint[]>();
      for (const [userId, all] of trails) {
        const tail = all.slice(from?.get(userId) ?? 0).map((p) => ({ ...p }));
        handedOut += tail.length;
        answer.set(userId, tail);
      }
      return answer;
    },
  };
}

const copy = (trails: ReadonlyMap<string, readonly StoredTrailPoint[]>) =>
  new Map<string, StoredTrailPoint[]>([...trails].map(([userId, list]) => [userId, [...list]]));

describe("trail reader", () => {
  it("reads every trail once, then only what was added (and one point to check each)", async () => {
    const store = fakeStore();
    store.trails.set("a", points(1, 2, 3));
    store.trails.set("b", points(10));
    const reader = createTrailReader(store.read);
    assert.deepEqual(copy(await reader.read("r")), store.trails);
    assert.equal(store.takeHandedOut(), 4);

    store.trails.get("a")!.push(...points(4, 5));
    store.trails.set("c", points(20, 21));
    assert.deepEqual(copy(await reader.read("r")), store.trails);
    // a: its last known point and 2 new; b: its last; c: both (new rider).
    assert.equal(store.takeHandedOut(), 3 + 1 + 2);
    assert.deepEqual(copy(await reader.read("r")), store.trails);
    assert.equal(store.takeHandedOut(), 3, "nothing new: one point per rider");
  });

  it("reads a thinned (replaced) trail whole, and reads on from it after", async () => {
    const store = fakeStore();
    store.trails.set("a", points(1, 2, 3, 4, 5, 6));
    store.trails.set("b", points(10, 11));
    const reader = createTrailReader(store.read);
    await reader.read("r");
    store.takeHandedOut();

    // The older half thinned, and one more point: the index of a's last known point now holds nothing.
    store.trails.set("a", points(1, 3, 5, 6, 7));
    assert.deepEqual(copy(await reader.read("r")), store.trails);
    assert.equal(store.takeHandedOut(), 0 + 1 + 5, "a's check (nothing there), b's check, then a whole");

    // Thinned to as many points as before: the point at that index is another one.
    store.trails.set("a", points(1, 5, 6, 7, 8));
    assert.deepEqual(copy(await reader.read("r")), store.trails);
    store.trails.get("a")!.push(point(9));
    assert.deepEqual(copy(await reader.read("r")), store.trails);

    // Emptied, then started again.
    store.trails.set("a", []);
    assert.deepEqual(copy(await reader.read("r")), store.trails);
    store.trails.set("a", points(30));
    assert.deepEqual(copy(await reader.read("r")), store.trails);
  });

  it("forgets rides no longer kept, and reads them whole again", async () => {
    const store = fakeStore();
    store.trails.set("a", points(1, 2, 3));
    const reader = createTrailReader(store.read);
    await reader.read("r");
    reader.retainOnly(new Set(["r"]));
    await reader.read("r");
    assert.equal(store.takeHandedOut(), 3 + 1);
    reader.retainOnly(new Set());
    await reader.read("r");
    assert.equal(store.takeHandedOut(), 3);
  });
});
