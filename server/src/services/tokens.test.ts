import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createTokenService } from "./tokens.ts";

const SECRET = "a test secret of at least thirty-two characters";
const rider = { id: "u1", username: "ana" };

function tokensAt(start: number) {
  const clock = { now: () => start };
  const tokens = createTokenService(SECRET, 60_000, clock);
  return { tokens, clock };
}
const refusal = (code: string) => (err: unknown) => (err as { code?: string }).code === code;

describe("createTokenService", () => {
  it("verifies what it issued and refuses a tampered token", async () => {
    const { tokens } = tokensAt(Date.parse("2026-01-01T00:00:00Z"));
    const { token } = await tokens.issue(rider);
    assert.deepEqual(await tokens.verify(token), rider);
    await assert.rejects(tokens.verify(`${token.slice(0, -2)}xx`), refusal("UNAUTHORIZED"));
  });

  it("refuses a token from its expiry on, as TOKEN_EXPIRED", async () => {
    const { tokens, clock } = tokensAt(Date.parse("2026-01-01T00:00:00Z"));
    const { token, expiresAt } = await tokens.issue(rider);
    clock.now = () => expiresAt - 1000;
    assert.deepEqual(await tokens.verify(token), rider);
    clock.now = () => expiresAt;
    await assert.rejects(tokens.verify(token), refusal("TOKEN_EXPIRED"));
  });
});
