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
  it("verifies what it issued, with its session, and refuses a tampered token", () => {
    const { tokens } = tokensAt(Date.parse("2026-01-01T00:00:00Z"));
    const { token, expiresAt } = tokens.issue(rider, "s1");
    assert.deepEqual(tokens.verify(token), { user: rider, sessionId: "s1", expiresAt });
    assert.throws(() => tokens.verify(`${token.slice(0, -2)}xx`), refusal("UNAUTHORIZED"));
  });

  it("refuses a token signed with another key, and one without a session", () => {
    const { tokens } = tokensAt(Date.parse("2026-01-01T00:00:00Z"));
    const other = createTokenService(`${SECRET}!`, 60_000, { now: () => Date.now() });
    assert.throws(() => tokens.verify(other.issue(rider, "s1").token), refusal("UNAUTHORIZED"));
    const [header, , signature] = tokens.issue(rider, "s1").token.split(".");
    const noSession = Buffer.from(JSON.stringify({ sub: "u1", username: "ana", exp: 2e9 })).toString(
      "base64url",
    );
    assert.throws(() => tokens.verify(`${header}.${noSession}.${signature}`), refusal("UNAUTHORIZED"));
  });

  it("refuses a token from its expiry on, as TOKEN_EXPIRED", () => {
    const { tokens, clock } = tokensAt(Date.parse("2026-01-01T00:00:00Z"));
    const { token, expiresAt } = tokens.issue(rider, "s1");
    clock.now = () => expiresAt - 1000;
    assert.equal(tokens.verify(token).user.id, rider.id);
    clock.now = () => expiresAt;
    assert.throws(() => tokens.verify(token), refusal("TOKEN_EXPIRED"));
  });

  it("never issues a token that outlives its session", () => {
    const start = Date.parse("2026-01-01T00:00:00Z");
    const { tokens } = tokensAt(start);
    assert.equal(tokens.issue(rider, "s1", start + 10_000).expiresAt, start + 10_000);
    assert.equal(tokens.issue(rider, "s1").expiresAt, start + 60_000);
  });
});
