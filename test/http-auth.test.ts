import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LIMITS } from "@convoy/shared";
import { startApp, uniqueName, type TestApp } from "./support/app.ts";

describe("[2 HTTP] auth", () => {
  let app: TestApp;
  before(async () => (app = await startApp()));
  after(() => app.close());

  it("register answers 201 {user} and login answers {token, expiresAt, user}", async () => {
    const username = uniqueName("Alice");
    const registered = await app.http("POST", "/api/auth/register", { username, password: "hunter2hunter2" });
    assert.equal(registered.status, 201);
    assert.deepEqual(Object.keys(registered.body.user).sort(), ["id", "username"]);
    assert.equal(registered.body.user.username, username);

    const before = Date.now();
    const login = await app.http("POST", "/api/auth/login", { username, password: "hunter2hunter2" });
    assert.equal(login.status, 200);
    assert.equal(login.body.user.id, registered.body.user.id);
    assert.equal(typeof login.body.token, "string");
    // 15 minutes by default (JWT expiry has one-second resolution).
    const ttl = login.body.expiresAt - before;
    assert.ok(ttl > LIMITS.tokenTtlMs - 2000 && ttl <= LIMITS.tokenTtlMs + 1000, `ttl ${ttl}`);
  });

  it("usernames are unique case-insensitively: 409 USERNAME_TAKEN", async () => {
    const username = uniqueName("Bob");
    assert.equal(
      (await app.http("POST", "/api/auth/register", { username, password: "password1" })).status,
      201,
    );
    const again = await app.http("POST", "/api/auth/register", {
      username: username.toUpperCase(),
      password: "password1",
    });
    assert.equal(again.status, 409);
    assert.equal(again.error?.code, "USERNAME_TAKEN");
  });

  it("login is case-insensitive on the username and keeps its stored spelling", async () => {
    const username = uniqueName("Carol");
    await app.http("POST", "/api/auth/register", { username, password: "password1" });
    const login = await app.http("POST", "/api/auth/login", {
      username: username.toLowerCase(),
      password: "password1",
    });
    assert.equal(login.status, 200);
    assert.equal(login.body.user.username, username);
  });

  const badBodies: Array<[string, unknown]> = [
    ["no body", undefined],
    ["an array", [1, 2]],
    ["null", "null"],
    ["missing password", { username: "someone" }],
    ["username too short", { username: "ab", password: "password1" }],
    ["username too long", { username: "a".repeat(33), password: "password1" }],
    ["username with a space", { username: "a b c", password: "password1" }],
    ["username a number", { username: 12345, password: "password1" }],
    ["password too short", { username: "someone", password: "short" }],
    ["password too long", { username: "someone", password: "p".repeat(129) }],
    ["an extra field", { username: "someone", password: "password1", admin: true }],
    ["a __proto__ key", '{"username":"someone","password":"password1","__proto__":{"admin":true}}'],
    ["broken JSON", "{not json"],
  ];
  for (const [label, body] of badBodies) {
    it(`register with ${label}: 400 VALIDATION_FAILED`, async () => {
      const res = await app.httpRaw("POST", "/api/auth/register", body);
      assert.equal(res.status, 400);
      assert.equal(res.error?.code, "VALIDATION_FAILED");
      assert.equal(typeof res.error.message, "string");
    });
  }

  it("a body over 16 KiB is refused with 413 VALIDATION_FAILED", async () => {
    const res = await app.http("POST", "/api/auth/register", {
      username: "someone",
      password: "x".repeat(20_000),
    });
    assert.equal(res.status, 413);
    assert.equal(res.error?.code, "VALIDATION_FAILED");
  });

  it("wrong password and unknown user both answer 401 INVALID_CREDENTIALS", async () => {
    const username = uniqueName();
    await app.http("POST", "/api/auth/register", { username, password: "password1" });
    for (const body of [
      { username, password: "password2" },
      { username: uniqueName("nobody"), password: "password1" },
    ]) {
      const res = await app.http("POST", "/api/auth/login", body);
      assert.equal(res.status, 401);
      assert.equal(res.error?.code, "INVALID_CREDENTIALS");
    }
  });

  it("login with a malformed body answers 400", async () => {
    const res = await app.httpRaw("POST", "/api/auth/login", { username: 1 });
    assert.equal(res.status, 400);
    assert.equal(res.error?.code, "VALIDATION_FAILED");
  });

  it("refresh gives a new token to a holder of a valid one, 401 otherwise", async () => {
    const { token, user } = await app.member();
    const refreshed = await app.http("POST", "/api/auth/refresh", undefined, token);
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body.user.id, user.id);
    const refused = await app.http("POST", "/api/auth/refresh", undefined, "nope");
    assert.equal(refused.status, 401);
    assert.equal(refused.error?.code, "UNAUTHORIZED");
  });
});
