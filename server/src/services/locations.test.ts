import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { systemClock } from "../clock.ts";
import { createMemoryLocationStore } from "../stores/memory/locations.ts";
import type { LocationStore } from "../stores/types.ts";
import type { Groups } from "./groups.ts";
import { createLocations } from "./locations.ts";

const ana = { id: "u1", username: "ana" };
const update = { groupId: "g1", lat: 46.5, lng: 8.5, accuracy: null, heading: null, speed: null, ts: 1 };
// Membership is not what these tests are about: everyone is a member.
const everyoneMember = { requireMember: async () => {} } as unknown as Groups;

/** The memory store, counting its sharing reads, whose next read can be held until released. */
function storeWithHeldRead() {
  const store = createMemoryLocationStore();
  let hold: { reached: () => void; release: Promise<void> } | null = null;
  let reads = 0;
  const counted: LocationStore = {
    ...store,
    async isSharing(groupId, userId) {
      reads++;
      const answer = await store.isSharing(groupId, userId);
      if (hold) {
        const { reached, release } = hold;
        hold = null;
        reached();
        await release;
      }
      return answer;
    },
  };
  return {
    store: counted,
    reads: () => reads,
    /** Holds the next read once it has its answer; resolves with its release when the read got there. */
    holdNextRead(): Promise<() => void> {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      return new Promise((reached) => (hold = { reached: () => reached(release), release: released }));
    },
  };
}

describe("locations: who may send positions", () => {
  it("reads sharing from the store once, then trusts it", async () => {
    const { store, reads } = storeWithHeldRead();
    const locations = createLocations(store, everyoneMember, systemClock, 600_000);
    await store.setSharing("g1", ana.id, true);
    const { authorize } = locations.authorizer(ana);
    for (let i = 0; i < 5; i++) await authorize({ ...update, ts: i });
    assert.equal(reads(), 1);
  });

  it("refuses at once after a stop made here, even one that overtook a store read", async () => {
    const held = storeWithHeldRead();
    const locations = createLocations(held.store, everyoneMember, systemClock, 600_000);
    await held.store.setSharing("g1", ana.id, true);
    const readReached = held.holdNextRead();
    // The read says "sharing"; before its answer arrives, the rider stops here.
    const { authorize } = locations.authorizer(ana);
    const first = authorize(update);
    const release = await readReached;
    await locations.share(ana, "g1", false);
    release();
    await first; // it asked before the stop: it goes through, as if it came just before
    await assert.rejects(authorize({ ...update, ts: 2 }), { code: "FORBIDDEN" });
  });

  it("trusts sharing for 10 s of the clock, then reads the store again", async () => {
    const { store, reads } = storeWithHeldRead();
    let now = 1_000_000;
    const locations = createLocations(store, everyoneMember, { now: () => now }, 600_000);
    await store.setSharing("g1", ana.id, true);
    const { authorize } = locations.authorizer(ana);
    await authorize(update);
    now += 9_999;
    await authorize({ ...update, ts: 2 });
    assert.equal(reads(), 1);
    now += 1;
    await authorize({ ...update, ts: 3 });
    assert.equal(reads(), 2);
  });

  it("checks another group, and every connection checks its own", async () => {
    const { store, reads } = storeWithHeldRead();
    const locations = createLocations(store, everyoneMember, systemClock, 600_000);
    await store.setSharing("g1", ana.id, true);
    const { authorize } = locations.authorizer(ana);
    await authorize(update);
    await assert.rejects(authorize({ ...update, groupId: "g2" }), { code: "FORBIDDEN" });
    await locations.authorizer(ana).authorize(update);
    assert.equal(reads(), 3);
  });

  it("a position the store refuses (sharing stopped on another node) ends that rider's trust on every connection", async () => {
    const { store, reads } = storeWithHeldRead();
    const locations = createLocations(store, everyoneMember, systemClock, 600_000);
    const bo = { id: "u2", username: "bo" };
    await store.setSharing("g1", ana.id, true);
    await store.setSharing("g1", bo.id, true);
    const phone = locations.authorizer(ana);
    const tablet = locations.authorizer(ana);
    const bos = locations.authorizer(bo);
    const position = await phone.authorize(update);
    await tablet.authorize(update);
    await bos.authorize({ ...update, ts: 1 });
    assert.equal(await locations.record(position), "kept");
    assert.equal(reads(), 3);
    // Another node stops it: this one still trusts it, and the store refuses the position.
    await store.setSharing("g1", ana.id, false);
    const late = await phone.authorize({ ...update, ts: 2 });
    assert.equal(await locations.record(late), "refused");
    await assert.rejects(phone.authorize({ ...update, ts: 3 }), { code: "FORBIDDEN" });
    await assert.rejects(tablet.authorize({ ...update, ts: 3 }), { code: "FORBIDDEN" });
    // Another rider's trust is untouched: no read.
    await bos.authorize({ ...update, ts: 2 });
    assert.equal(reads(), 5);
  });
});
