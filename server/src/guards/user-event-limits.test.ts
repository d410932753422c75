import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createUserEventLimits } from "./user-event-limits.ts";

describe("createUserEventLimits", () => {
  it("a user's sockets share one bucket; it goes with their last socket", () => {
    const limits = createUserEventLimits(1);
    const first = limits.hold("u1");
    const second = limits.hold("u1");
    assert.equal(first, second);
    assert.notEqual(limits.hold("u2"), first, "another user has their own");
    // Burst of two, shared: the third take from either socket is refused.
    assert.equal(first.tryTake(), true);
    assert.equal(second.tryTake(), true);
    assert.equal(first.tryTake(), false);
    limits.release("u1");
    assert.equal(limits.hold("u1"), first, "kept while one of the user's sockets is open");
  });

  it("after the last socket closes, a new one starts with a new bucket", () => {
    const limits = createUserEventLimits(1);
    const only = limits.hold("u1");
    only.tryTake();
    limits.release("u1");
    limits.release("u1");
    const next = limits.hold("u1");
    assert.notEqual(next, only);
    assert.equal(next.tryTake(), true, "with its full burst");
    limits.release("u1");
    assert.notEqual(limits.hold("u1"), next, "a release too many did not leave a count behind");
  });
});
