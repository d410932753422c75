// SPEC §6 sessions against a real node: logout, "log out everywhere" and a
// password change end tokens and close sockets; a socket is warned before its
// token expires and renews in place, keeping its rooms. Across nodes in
// multi-node.test.ts.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Clock } from "@convoy/server";
import { startApp, type Member, type TestApp } from "./support/app.ts";
import { Manager } from "socket.io-client";
import { openPolling, pollUntil } from "./support/raw-engine.ts";
import { ask, type NspSocket } from "./support/sockets.ts";
import { connected, waitFor } from "./support/wait.ts";

const PASSWORD = "correct horse battery";

describe("[§6 sessions] sessions that end", () => {
  let app: TestApp;
  before(async () => (app = await startApp({ limits: { tokenCheckMs: 50 } })));
  after(() => app.close());

  const login = async (member: Member, password = PASSWORD) =>
    (
      await app.http("POST", "/api/auth/login", {
        username: member.user.username,
        password,
      })
    ).body;
  const groupsStatus = async (token: string) =>
    (await app.http("GET", "/api/groups", undefined, token)).status;
  const refused = (code: string) => (err: unknown) => (err as Error).message === code;

  /** Counts the session reads that go to the store (authenticate without a session confirmed on the connection). */
  function countStoreReads() {
    const sessions = app.app.deps.sessions;
    const original = sessions.authenticate.bind(sessions);
    const counted = { reads: 0, restore: () => (sessions.authenticate = original) };
    sessions.authenticate = (token, confirmed) => {
      if (!confirmed) counted.reads++;
      return original(token, confirmed);
    };
    return counted;
  }

  it("a client's namespaces on one connection read its session from the store once", async () => {
    const member = await app.member();
    const counted = countStoreReads();
    const manager = new Manager(app.url, { transports: ["websocket"], reconnection: false });
    try {
      const sockets = ["/chat", "/presence", "/location"].map((nsp) =>
        manager.socket(nsp, { auth: { token: member.token } }),
      );
      await Promise.all(sockets.map((socket) => connected(socket as NspSocket)));
      // A namespace opened later, while the others are connected, reads nothing either.
      const later = manager.socket("/", { auth: { token: member.token } });
      await connected(later);
      assert.equal(counted.reads, 1);
    } finally {
      counted.restore();
      manager.engine?.close();
    }
  });

  it("a connection whose sockets all left is asked again: a namespace opened after logout is refused", async () => {
    const member = await app.member();
    const raw = await openPolling(app.url);
    await raw.send(`0/chat,${JSON.stringify({ token: member.token })}`);
    await pollUntil(raw, (p) => p.startsWith("40/chat,"));
    // The client leaves /chat but keeps the connection: no socket of it is in the session's room now.
    await raw.send("1/chat,");
    assert.equal((await app.http("POST", "/api/auth/logout", undefined, member.token)).status, 204);
    await raw.send(`0/presence,${JSON.stringify({ token: member.token })}`);
    const packets = await pollUntil(raw, (p) => p.startsWith("44/presence,"));
    assert.ok(
      packets.some((p) => p.startsWith("44/presence,") && p.includes("UNAUTHORIZED")),
      packets.join(" | "),
    );
  });

  it("logout ends the session: its token, a token refreshed from it and its sockets; another session stays", async () => {
    const member = await app.member();
    const refreshed = (await app.http("POST", "/api/auth/refresh", undefined, member.token)).body;
    const other = await login(member);
    const sockets = await Promise.all(
      (["/chat", "/presence", "/location"] as const).map((nsp) => app.connect(nsp, refreshed.token)),
    );
    const otherSocket = await app.connect("/chat", other.token);
    const closed = sockets.map((socket) => waitFor(socket, "disconnect", { ms: 5000 }));

    assert.equal((await app.http("POST", "/api/auth/logout", undefined, member.token)).status, 204);
    await Promise.all(closed);
    for (const token of [member.token, refreshed.token]) {
      assert.equal(await groupsStatus(token), 401);
      await assert.rejects(app.connect("/chat", token), refused("UNAUTHORIZED"));
      const again = await app.http("POST", "/api/auth/refresh", undefined, token);
      assert.equal(again.status, 401, "an ended session cannot be refreshed back to life");
    }
    assert.equal(await groupsStatus(other.token), 200);
    assert.ok(otherSocket.connected, "the user's other session keeps its socket");
  });

  it("log out everywhere ends every session of the user and no one else's", async () => {
    const member = await app.member();
    const stranger = await app.member();
    const second = await login(member);
    const a = await app.connect("/chat", member.token);
    const b = await app.connect("/presence", second.token);
    const strangerSocket = await app.connect("/chat", stranger.token);
    const closed = [a, b].map((socket) => waitFor(socket, "disconnect", { ms: 5000 }));
    assert.equal((await app.http("POST", "/api/auth/logout-all", undefined, second.token)).status, 204);
    await Promise.all(closed);
    assert.equal(await groupsStatus(member.token), 401);
    assert.equal(await groupsStatus(second.token), 401);
    assert.equal(await groupsStatus(stranger.token), 200);
    assert.ok(strangerSocket.connected);
    assert.equal(await groupsStatus((await login(member)).token), 200, "a new login works");
  });

  it("a password change ends every session, answers a new one, and only the new password logs in", async () => {
    const member = await app.member();
    const socket = await app.connect("/chat", member.token);
    const wrong = await app.http(
      "POST",
      "/api/auth/password",
      { currentPassword: "not the password", newPassword: "a brand new secret" },
      member.token,
    );
    assert.equal(wrong.status, 401);
    assert.equal(wrong.error?.code, "INVALID_CREDENTIALS");
    assert.equal(await groupsStatus(member.token), 200, "a wrong current password changes nothing");

    const closed = waitFor(socket, "disconnect", { ms: 5000 });
    const changed = await app.http(
      "POST",
      "/api/auth/password",
      { currentPassword: PASSWORD, newPassword: "a brand new secret" },
      member.token,
    );
    assert.equal(changed.status, 200);
    await closed;
    assert.equal(await groupsStatus(member.token), 401);
    assert.equal(await groupsStatus(changed.body.token), 200);
    const old = await app.http("POST", "/api/auth/login", {
      username: member.user.username,
      password: PASSWORD,
    });
    assert.equal(old.status, 401);
    assert.equal(await groupsStatus((await login(member, "a brand new secret")).token), 200);
  });
});

describe("[§6 sessions] a token that expires on an open socket", () => {
  let now = Date.parse("2026-06-01T10:00:00Z");
  const clock: Clock = { now: () => now };
  let app: TestApp;
  before(
    async () => (app = await startApp({ clock, limits: { tokenCheckMs: 20, tokenWarnAheadMs: 30_000 } })),
  );
  after(() => app.close());

  it("is warned, renews in place with a refreshed token, keeps its rooms, and hears the group after the old expiry", async () => {
    const { group, members } = await app.groupWith(2);
    const [rider, sender] = members as [Member, Member];
    const socket = await app.connect("/chat", rider.token);
    await ask(socket, "room:join", { groupId: group.id });
    const { expiresAt } = (await app.http("POST", "/api/auth/refresh", undefined, rider.token)).body;

    const warned = waitFor(socket, "session:expiring");
    now = expiresAt - 20_000;
    assert.equal((await warned).expiresAt, expiresAt);

    const fresh = await app.http("POST", "/api/auth/refresh", undefined, rider.token);
    const renewed = await ask(socket, "session:renew", { token: fresh.body.token });
    assert.deepEqual(renewed, { ok: true, data: { expiresAt: fresh.body.expiresAt } });

    // Past the first token's expiry: still connected, still in the room.
    now = expiresAt + 60_000;
    const senderLogin = await app.http("POST", "/api/auth/login", {
      username: sender.user.username,
      password: PASSWORD,
    });
    const senderSocket = await app.connect("/chat", senderLogin.body.token);
    const heard = waitFor(socket, "message:new");
    await ask(senderSocket, "message:send", { groupId: group.id, text: "still with us?", clientMsgId: "c1" });
    assert.equal((await heard).text, "still with us?");
    assert.ok(socket.connected);
  });

  it("a renewal with a token of another session of the same user, ended since, is refused", async () => {
    const rider = await app.member();
    const socket = await app.connect("/chat", rider.token);
    const other = await app.http("POST", "/api/auth/login", {
      username: rider.user.username,
      password: PASSWORD,
    });
    assert.equal((await app.http("POST", "/api/auth/logout", undefined, other.body.token)).status, 204);
    // The socket's own session needs no store read; another session's token is checked.
    const refused = await ask(socket, "session:renew", { token: other.body.token });
    assert.equal(refused.ok ? "ok" : refused.error.code, "UNAUTHORIZED");
    const own = await app.http("POST", "/api/auth/refresh", undefined, rider.token);
    const renewed = await ask(socket, "session:renew", { token: own.body.token });
    assert.deepEqual(renewed, { ok: true, data: { expiresAt: own.body.expiresAt } });
    assert.ok(socket.connected);
  });

  it("is closed at expiry when not renewed; a renewal with someone else's or a bad token is refused", async () => {
    const [rider, stranger] = await Promise.all([app.member(), app.member()]);
    const socket = await app.connect("/chat", rider.token);
    const strangers = await ask(socket, "session:renew", { token: stranger.token });
    assert.equal(strangers.ok ? "ok" : strangers.error.code, "FORBIDDEN");
    const garbage = await ask(socket, "session:renew", { token: "not.a.token" });
    assert.equal(garbage.ok ? "ok" : garbage.error.code, "UNAUTHORIZED");
    assert.ok(socket.connected, "a refused renewal changes nothing");

    const { expiresAt } = (await app.http("POST", "/api/auth/refresh", undefined, rider.token)).body;
    const closed = waitFor(socket, "disconnect");
    now = expiresAt + 1;
    await closed;
  });
});
