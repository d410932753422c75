import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashPassword, MAX_PASSWORD_COST, verifyPassword } from "./passwords.ts";

describe("passwords", () => {
  it("stores a salted scrypt hash, never the password", async () => {
    const a = await hashPassword("correct horse");
    const b = await hashPassword("correct horse");
    assert.match(a, /^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    assert.ok(!a.includes("correct horse"));
    assert.notEqual(a, b, "a fresh salt each time");
  });

  it("the highest cost the configuration accepts still hashes and verifies", async () => {
    const stored = await hashPassword("correct horse", MAX_PASSWORD_COST);
    assert.match(stored, /^scrypt\$65536\$/);
    assert.equal(await verifyPassword("correct horse", stored), true);
  });

  it("verifies the right password only", async () => {
    const stored = await hashPassword("correct horse");
    assert.equal(await verifyPassword("correct horse", stored), true);
    assert.equal(await verifyPassword("correct horsE", stored), false);
    assert.equal(await verifyPassword("correct horse", "garbage"), false);
  });
});
