import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Coalescer } from "./coalesce.ts";

describe("Coalescer", () => {
  it("passes `perSecond` values at once, then keeps only the newest until a token frees", async () => {
    const applied: number[] = [];
    const newestApplied = new Promise<void>((resolve) => {
      const coalescer = new Coalescer<number>(5, (value) => {
        applied.push(value);
        if (value === 50) resolve();
      });
      for (let i = 1; i <= 50; i++) coalescer.push("group", i);
    });
    await newestApplied;
    assert.deepEqual(applied, [1, 2, 3, 4, 5, 50]);
  });

  it("keys are independent", () => {
    const applied: string[] = [];
    const coalescer = new Coalescer<string>(1, (value) => applied.push(value));
    assert.equal(coalescer.push("a", "a1"), "passed");
    assert.equal(coalescer.push("b", "b1"), "passed");
    assert.equal(coalescer.push("a", "a2"), "coalesced");
    coalescer.flush();
    assert.deepEqual(applied, ["a1", "b1", "a2"]);
  });

  it("flush applies what waits and cancels the timers", () => {
    const applied: number[] = [];
    const coalescer = new Coalescer<number>(1, (value) => applied.push(value));
    coalescer.push("k", 1);
    coalescer.push("k", 2);
    coalescer.push("k", 3);
    coalescer.flush();
    coalescer.flush();
    assert.deepEqual(applied, [1, 3]);
  });
});
