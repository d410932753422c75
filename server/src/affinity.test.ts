import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { affinityOf, slotOf } from "./affinity.ts";

const head = (target: string) => `GET ${target} HTTP/1.1\r\nHost: x\r\nCookie: affinity=cookie\r\n\r\n`;

describe("affinityOf", () => {
  it("reads the affinity parameter of the request line, %-decoded", () => {
    assert.equal(affinityOf(head("/socket.io/?EIO=4&transport=websocket&affinity=g-1")), "g-1");
    assert.equal(affinityOf(head("/socket.io/?affinity=a%20b&EIO=4")), "a b");
  });

  it("null without one, when empty, too long, or malformed; headers do not count", () => {
    assert.equal(affinityOf(head("/socket.io/?EIO=4&transport=polling")), null);
    assert.equal(affinityOf(head("/socket.io/?EIO=4&affinity=")), null);
    assert.equal(affinityOf(head(`/socket.io/?affinity=${"x".repeat(65)}`)), null);
    assert.equal(affinityOf(head("/socket.io/?affinity=%E0%A4%A")), null);
    assert.equal(affinityOf(head("/socket.io/?xaffinity=1")), null);
    assert.equal(affinityOf("garbage without a line end affinity=1"), null);
  });
});

describe("slotOf", () => {
  it("the same key always lands in the same slot, within range", () => {
    for (const key of ["a", "group-1", "0b6f2c1e-5d2a-4c44-9a55-1f0e8e3c9d10"]) {
      const slot = slotOf(key, 7);
      assert.ok(slot >= 0 && slot < 7);
      assert.equal(slotOf(key, 7), slot);
    }
  });

  it("spreads many groups evenly", () => {
    const counts = new Array<number>(4).fill(0);
    for (let i = 0; i < 10_000; i++) counts[slotOf(crypto.randomUUID(), 4)]!++;
    for (const count of counts) assert.ok(count > 2300 && count < 2700, `${counts.join(", ")}`);
  });
});
