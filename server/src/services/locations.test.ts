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
    for (let i = 0; i < 5; i++) await locations.authorize(ana, { ...update, ts: i });
    assert.equal(reads(), 1);
  });

  it("refuses at once after a stop made here, even one that overtook a store read", async () => {
    const held = storeWithHeldRead();
    const locations = createLocations(held.store, everyoneMember, systemClock, 600_000);
    await held.store.setSharing("g1", ana.id, true);
    const readReached = held.holdNextRead();
    // The read says "sharing"; before its answer arrives, the rider stops here.
    const first = locations.authorize(ana, update);
    const release = await readReached;
    await locations.share(ana, "g1", false);
    release();
    await first; // it asked before the stop: it goes through, as if it came just before
    await assert.rejects(locations.authorize(ana, { ...update, ts: 2 }), { code: "FORBIDDEN" });
  });
});
