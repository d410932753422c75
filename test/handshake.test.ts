import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Clock } from "@convoy/server";
import { LIMITS } from "@convoy/shared";
import { startApp, type TestApp } from "./support/app.ts";
import { openPolling, pollUntil } from "./support/raw-engine.ts";
import { ask, type Nsp } from "./support/sockets.ts";
import { waitFor } from "./support/wait.ts";

const namespaces: Nsp[] = ["/", "/chat", "/presence", "/location"];

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
        const err = await waitFor(client, "connect_error");
        assert.equal(err.message, "UNAUTHORIZED", `token ${JSON.stringify(token)}`);
        assert.equal(client.connected, false);
      }
    });

    it(`${nsp}: a token signed with another secret fails with UNAUTHORIZED`, async () => {
      const other = await startApp();
      try {
        const stranger = await other.member();
        const err = await waitFor(app.socket(nsp, stranger.token), "connect_error");
        assert.equal(err.message, "UNAUTHORIZED");
      } finally {
        await other.close();
      }
    });

    it(`${nsp}: an expired token fails with TOKEN_EXPIRED`, async () => {
      const { token } = await app.member();
      now += LIMITS.tokenTtlMs + 5_000;
      try {
        const err = await waitFor(app.socket(nsp, token), "connect_error");
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
    // A hand-driven client, so that nothing in a client library holds packets back.
    const raw = await openPolling(app.url);
    await raw.send(`0/chat,${JSON.stringify({ token: "forged" })}`);
    const refused = await pollUntil(raw, (p) => p.startsWith("44/chat,"));
    assert.match(refused.join(), /"message":"UNAUTHORIZED"/);
    await ask(chat, "message:send", { groupId: group.id, text: "secret", clientMsgId: "s1" });
    // An event on a namespace it is not connected to makes Socket.IO drop the whole connection.
    await raw.send(`2/chat,1${JSON.stringify(["room:join", { groupId: group.id }])}`);
    const packets = await pollUntil(raw, (p) => p === "1");
    assert.deepEqual(
      packets.filter((p) => p.startsWith("4")),
      [],
      "no connect, ack or event reached it",
    );
    assert.equal((await raw.poll()).status, 400, "the session is gone");
  });

  it("an accepted socket does not keep its bearer token in the server's memory", async () => {
    const { token } = await app.member();
    for (const nsp of namespaces) {
      const client = app.socket(nsp, token);
      await waitFor(client, "connect");
      const socket = app.app.io.of(nsp).sockets.get(client.id!);
      assert.ok(socket, `${nsp}: the server has the socket`);
      assert.equal(
        JSON.stringify(socket.handshake).includes(token),
        false,
        `${nsp}: no token in its handshake`,
      );
      client.disconnect();
    }
  });
});
