import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LoginResponse } from "@convoy/shared";
import { FakeClock } from "../testing/fake-clock.ts";
import { memoryStorage } from "../testing/memory-storage.ts";
import { settle } from "../testing/settle.ts";
import { ApiError, type Http } from "./http.ts";
import { createSession } from "./session.ts";
import type { JsonStorage } from "./storage.ts";

const HOUR = 3_600_000;
const user = { id: "u1", username: "ann" };

/** The API: answers each path with what the test set, and records every call. */
class FakeHttp implements Http {
  offset: number | null = null;
  readonly calls: Array<{ path: string; token: string | undefined }> = [];
  readonly answers = new Map<string, () => unknown>();

  async request<T>(_method: string, path: string, _body?: unknown, token?: string): Promise<T> {
    this.calls.push({ path, token });
    const answer = this.answers.get(path);
    if (!answer) throw new ApiError(404, "NOT_FOUND", path);
    return answer() as T;
  }

  serverClockOffset(): number | null {
    return this.offset;
  }

  paths(): string[] {
    return this.calls.map((call) => call.path);
  }
}

function setup(storage: JsonStorage = memoryStorage(), clock = new FakeClock()) {
  const http = new FakeHttp();
  const session = createSession({ http, storage, clock });
  session.start();
  let n = 0;
  /** A new token, living `ttl` ms from now. */
  const token = (ttl = HOUR): LoginResponse => ({ token: `t${++n}`, expiresAt: clock.now() + ttl, user });
  return { clock, http, storage, session, token };
}

describe("session", () => {
  it("logs in, keeps the session on the device, and restores it on reload", async () => {
    const { clock, http, storage, session, token } = setup();
    http.answers.set("/api/auth/login", () => token());
    await session.login({ username: "ann", password: "pw" });
    assert.equal(session.current.value?.token, "t1");
    assert.equal(session.currentUserId.value, "u1");
    const reloaded = setup(storage, clock).session;
    assert.equal(reloaded.current.value?.token, "t1");
    assert.equal(reloaded.needsLogin.value, false);
  });

  it("renews a minute before expiry, and the renewed token is saved", async () => {
    const { clock, http, storage, session, token } = setup();
    http.answers.set("/api/auth/login", () => token());
    await session.login({ username: "ann", password: "pw" });
    http.answers.set("/api/auth/refresh", () => token());
    await clock.advance(HOUR - 60_000 - 1);
    assert.deepEqual(http.paths(), ["/api/auth/login"]);
    await clock.advance(1);
    assert.deepEqual(http.calls.at(-1), { path: "/api/auth/refresh", token: "t1" });
    assert.equal(session.current.value?.token, "t2");
    assert.equal(storage.loadJson<{ token: string } | null>("convoy.session", null)?.token, "t2");
    // And the next one is scheduled in turn.
    await clock.advance(HOUR - 60_000);
    assert.equal(session.current.value?.token, "t3");
  });

  it("renews a short-lived token at three quarters of its life, on the server's clock", async () => {
    const { clock, http, session, token } = setup();
    // This device's clock is an hour slow: the server's expiry time is an hour ahead of it.
    http.offset = HOUR;
    http.answers.set("/api/auth/login", () => ({ ...token(8000), expiresAt: clock.now() + HOUR + 8000 }));
    await session.login({ username: "ann", password: "pw" });
    assert.equal(session.needsLogin.value, false);
    http.answers.set("/api/auth/refresh", () => token());
    await clock.advance(5999);
    assert.equal(http.paths().length, 1);
    await clock.advance(1);
    assert.deepEqual(http.paths(), ["/api/auth/login", "/api/auth/refresh"]);
  });

  it("a refresh refused with 401 asks for the password and schedules nothing more", async () => {
    const { clock, http, session, token } = setup();
    http.answers.set("/api/auth/login", () => token());
    await session.login({ username: "ann", password: "pw" });
    http.answers.set("/api/auth/refresh", () => {
      throw new ApiError(401, "TOKEN_EXPIRED", "token expired");
    });
    await clock.advance(HOUR - 60_000);
    assert.equal(session.needsLogin.value, true);
    assert.equal(clock.pending, 0);
    assert.equal(session.current.value?.token, "t1", "the session stays, behind the login form");
  });

  it("a refresh that cannot reach the server keeps the token and tries again 15 s later", async () => {
    const { clock, http, session, token } = setup();
    http.answers.set("/api/auth/login", () => token());
    await session.login({ username: "ann", password: "pw" });
    http.answers.set("/api/auth/refresh", () => {
      throw new ApiError(0, "NETWORK", "offline");
    });
    await clock.advance(HOUR - 60_000);
    assert.equal(session.needsLogin.value, false);
    assert.equal(await session.freshToken(), "t1", "still good for a minute");
    http.answers.set("/api/auth/refresh", () => token());
    await clock.advance(15_000);
    assert.equal(session.current.value?.token, "t2");
  });

  it("a saved token that has expired asks for the password at once", () => {
    const storage = memoryStorage();
    const clock = new FakeClock();
    storage.saveJson("convoy.session", { token: "old", expiresAt: clock.now() - 1000, user });
    const { session } = setup(storage, clock);
    assert.equal(session.needsLogin.value, true);
    assert.equal(session.currentUserId.value, "u1");
    assert.equal(clock.pending, 0, "no renewal for a token that is gone");
  });

  it("freshToken renews a token with less than a minute left, before handing it out", async () => {
    const { clock, http, session, token } = setup();
    http.answers.set("/api/auth/login", () => token());
    await session.login({ username: "ann", password: "pw" });
    http.answers.set("/api/auth/refresh", () => {
      throw new ApiError(0, "NETWORK", "offline");
    });
    await clock.advance(HOUR - 60_000); // the scheduled renewal fails; the next try is 15 s away
    http.answers.set("/api/auth/refresh", () => token());
    await clock.advance(10_000);
    assert.equal(await session.freshToken(), "t2");
  });

  it("renewNow (the server warned with session:expiring) renews at once", async () => {
    const { http, session, token } = setup();
    http.answers.set("/api/auth/login", () => token());
    http.answers.set("/api/auth/refresh", () => token());
    await session.login({ username: "ann", password: "pw" });
    session.renewNow();
    session.renewNow(); // one renewal at a time
    await settle();
    assert.deepEqual(http.paths(), ["/api/auth/login", "/api/auth/refresh"]);
    assert.equal(session.current.value?.token, "t2");
  });

  it("logging out forgets the session here and ends it on the server", async () => {
    const { http, storage, session, token, clock } = setup();
    http.answers.set("/api/auth/login", () => token());
    http.answers.set("/api/auth/logout", () => ({}));
    await session.login({ username: "ann", password: "pw" });
    session.logout();
    await settle();
    assert.equal(session.current.value, null);
    assert.equal(storage.loadJson("convoy.session", null), null);
    assert.deepEqual(http.calls.at(-1), { path: "/api/auth/logout", token: "t1" });
    assert.equal(clock.pending, 0);
  });

  it("stopped, it leaves no timer", async () => {
    const { clock, http, session, token } = setup();
    http.answers.set("/api/auth/login", () => token());
    await session.login({ username: "ann", password: "pw" });
    assert.equal(clock.pending, 1);
    session.stop();
    assert.equal(clock.pending, 0);
  });
});
