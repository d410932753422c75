import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keySlot } from "./redis-cluster.ts";

describe("keySlot", () => {
  it("computes the slot Redis Cluster does (CLUSTER KEYSLOT on Redis 7.0.15), hash tags included", () => {
    const slots = {
      somekey: 11058,
      foo: 12182,
      "123456789": 12739,
      "{user1000}.following": 3443,
      // An empty tag is no tag: the whole key counts.
      "a{}b": 13694,
      "{}x{y}": 2166,
      "convoy:messages:{g:3b1f}": 9699,
    };
    for (const [key, slot] of Object.entries(slots)) assert.equal(keySlot(key), slot, key);
  });
});
