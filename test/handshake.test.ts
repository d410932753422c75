import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Clock } from "@convoy/server";
import { LIMITS } from "@convoy/shared";
import { ask, startApp, type Nsp, type TestApp } from "./support/app.ts";
import { collect, waitFor } from "./support/wait.ts";

const namespaces: Nsp[] = ["/chat", "/presence", "/location"];

describe("[3 Socket.IO] the handshake checks the token before accepting", () => {
  let now = Date.now();
  const clock: Clock = { now: () => now };
  let app: TestApp;
  before(async () => (app = await startApp({ clock })));
  after(() => app.close());

  for (const nsp of namespaces) {
    it(`${nsp}: a missing or bad token fails with connect_error UNAUTHORIZED`, async () => {
      for (const token of [undefined, "", "not-a-jwt", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA"]) {
        const client = app.socket(nsp, token);
        const err = await waitFor<Error>(client, "connect_error");
        assert.equal(err.message, "UNAUTHORIZED", `token ${JSON.stringify(token)}`);
        assert.equal(client.connected, false);
      }
    });

    it(`${nsp}: a token signed with another secret fails with UNAUTHORIZED`, async () => {
      const other = await startApp();
      try {
        const stranger = await other.member();
        const err = await waitFor<Error>(app.socket(nsp, stranger.token), "connect_error");
        assert.equal(err.message, "UNAUTHORIZED");
      } finally {
        await other.close();
      }
    });

    it(`${nsp}: an expired token fails with TOKEN_EXPIRED`, async () => {
      const { token } = await app.member();
      now += LIMITS.tokenTtlMs + 5_000;
      try {
        const err = await waitFor<Error>(app.socket(nsp, token), "connect_error");
        assert.equal(err.message, "TOKEN_EXPIRED");
      } finally {
        now = Date.now();
      }
    });
  }

  it("a refused client never receives an event, even while its group is busy", async () => {
    const { group, members } = await app.groupWith(1);
    const chat = await app.connect("/chat", members[0]!.token);
    await ask(chat, "room:join", { groupId: group.id });
    // Same manager and transport as the refused namespace would use.
    const refused = app.socket("/chat", "forged");
    const events = collect(refused, "message:new");
    await waitFor(refused, "connect_error");
    // The refused socket may try to join; it cannot.
    refused.emit("room:join", { groupId: group.id });
    const own = waitFor(chat, "message:new");
    await ask(chat, "message:send", { groupId: group.id, text: "secret", clientMsgId: "s1" });
    await own;
    events.stop();
    assert.equal(events.seen.length, 0);
  });
});
