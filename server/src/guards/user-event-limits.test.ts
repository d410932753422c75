import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createUserEventLimits } from "./user-event-limits.ts";

describe("createUserEventLimits", () => {
  it("a user's sockets share one bucket; it goes with their last socket", () => {
    const limits = createUserEventLimits(1);
    const first = limits.hold("u1");
    const second = limits.hold("u1");
    assert.equal(first.bucket, second.bucket);
    assert.notEqual(limits.hold("u2").bucket, first.bucket, "another user has their own");
    // Burst of two, shared: the third take from either socket is refused.
    assert.equal(first.bucket.tryTake(), true);
    assert.equal(second.bucket.tryTake(), true);
    assert.equal(first.bucket.tryTake(), false);
    first.release();
    first.release();
    assert.equal(limits.hold("u1").bucket, second.bucket, "a second release of one socket counts once");
  });

  it("after the last socket closes, a new one starts with a new bucket", () => {
    const limits = createUserEventLimits(1);
    const only = limits.hold("u1");
    only.bucket.tryTake();
    only.release();
    assert.notEqual(limits.hold("u1").bucket, only.bucket);
  });
});
