// Direct messages (issue #14) against real nodes, embedded, with Redis and a Redis Cluster:
// between two users who share a group, on every device of both, stored once
// per clientMsgId, caught up after a reconnect, listed as conversations.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { startApp, type TestApp } from "./support/app.ts";
import { ask, askRaw, dataOf, codeOf } from "./support/sockets.ts";
import { BACKENDS, startBackend, type SharedState } from "./support/backends.ts";
import { expectSilence, waitFor } from "./support/wait.ts";

for (const backend of BACKENDS) {
  describe(`[direct messages] (${backend})`, () => {
    let state: SharedState | null = null;
    let run = 0;
    const apps: TestApp[] = [];
    const jwtSecret = randomBytes(32).toString("hex");
    before(async () => {
      state = await startBackend(backend);
    });
    after(async () => {
      await Promise.all(apps.map((app) => app.close()));
      await state?.stop();
    });

    async function node(prefix = `dm${++run}:`) {
      const app = await startApp({
        redisPrefix: prefix,
        config: state ? { ...state.config, jwtSecret } : {},
      });
      apps.push(app);
      return app;
    }

    it("reaches every device of both users once; a retry with the same clientMsgId stores nothing new", async () => {
      const app = await node();
      const { members } = await app.groupWith(2);
      const [alice, bob] = members as [(typeof members)[0], (typeof members)[0]];
      const [aliceSender, aliceTablet, bobPhone, bobLaptop] = await Promise.all([
        app.connect("/chat", alice.token),
        app.connect("/chat", alice.token),
        app.connect("/chat", bob.token),
        app.connect("/chat", bob.token),
      ]);
      const arrivals = [aliceSender, aliceTablet, bobPhone, bobLaptop].map((s) => waitFor(s, "dm:new"));
      const sent = dataOf(
        await ask(aliceSender, "dm:send", {
          toUserId: bob.user.id,
          text: "  Fuel stop at the pass?  ",
          clientMsgId: "c1",
        }),
      ).message;
      assert.equal(sent.text, "Fuel stop at the pass?");
      assert.equal(sent.userId, alice.user.id);
      assert.equal(sent.username, alice.user.username);
      assert.equal(sent.toUserId, bob.user.id);
      for (const seen of await Promise.all(arrivals)) assert.deepEqual(seen, sent);

      const again = await ask(aliceSender, "dm:send", {
        toUserId: bob.user.id,
        text: "Fuel stop at the pass?",
        clientMsgId: "c1",
      });
      assert.deepEqual(dataOf(again).message, sent);
      await expectSilence(bobPhone, "dm:new");
      // The same clientMsgId from the other side is another message.
      const reply = await ask(bobPhone, "dm:send", {
        toUserId: alice.user.id,
        text: "Yes",
        clientMsgId: "c1",
      });
      assert.ok(dataOf(reply).message.id > sent.id);
      const page = dataOf(await ask(bobLaptop, "dm:page", { userId: alice.user.id, beforeId: null }));
      assert.deepEqual(
        page.messages.map((m) => [m.text, m.toUserId]),
        [
          ["Fuel stop at the pass?", bob.user.id],
          ["Yes", alice.user.id],
        ],
      );
    });

    it("only between users who share a group; unknown users and bad input are refused and nothing is stored", async () => {
      const app = await node();
      const { members } = await app.groupWith(1);
      const alice = members[0]!;
      const stranger = await app.member();
      const socket = await app.connect("/chat", alice.token);
      const send = (input: object) => askRaw(socket, "dm:send", [input]);
      assert.equal(
        codeOf(await send({ toUserId: stranger.user.id, text: "hi", clientMsgId: "a" })),
        "FORBIDDEN",
      );
      assert.equal(
        codeOf(await send({ toUserId: alice.user.id, text: "hi", clientMsgId: "b" })),
        "FORBIDDEN",
      );
      assert.equal(codeOf(await send({ toUserId: "nobody", text: "hi", clientMsgId: "c" })), "NOT_FOUND");
      for (const bad of [
        { toUserId: stranger.user.id, text: "", clientMsgId: "d" },
        { toUserId: stranger.user.id, text: "x".repeat(2001), clientMsgId: "d" },
        { toUserId: stranger.user.id, text: "x\ud800", clientMsgId: "d" },
        { toUserId: stranger.user.id, text: "hi" },
        { toUserId: 7, text: "hi", clientMsgId: "d" },
      ])
        assert.equal(codeOf(await send(bad)), "VALIDATION_FAILED", JSON.stringify(bad));
      assert.equal(codeOf(await ask(socket, "dm:page", { userId: "nobody", beforeId: null })), "NOT_FOUND");
      assert.equal(
        codeOf(await ask(socket, "dm:page", { userId: stranger.user.id, afterId: "0", beforeId: null })),
        "VALIDATION_FAILED",
      );
      const empty = dataOf(await ask(socket, "dm:page", { userId: stranger.user.id, beforeId: null }));
      assert.deepEqual(empty, { userId: stranger.user.id, messages: [], hasMore: false });
      const list = dataOf(await ask(socket, "dm:conversations", {}));
      assert.deepEqual(list.conversations, []);
    });

    it("a device that was away catches up from the newest id it has, in order, page by page", async () => {
      const app = await node();
      const { members } = await app.groupWith(2);
      const [alice, bob] = members as [(typeof members)[0], (typeof members)[0]];
      const sender = await app.connect("/chat", alice.token);
      const bobSocket = await app.connect("/chat", bob.token);
      const first = waitFor(bobSocket, "dm:new");
      dataOf(await ask(sender, "dm:send", { toUserId: bob.user.id, text: "m0", clientMsgId: "m0" }));
      const newest = (await first).id;
      bobSocket.disconnect();
      for (let i = 1; i <= 5; i++)
        dataOf(await ask(sender, "dm:send", { toUserId: bob.user.id, text: `m${i}`, clientMsgId: `m${i}` }));

      const back = await app.connect("/chat", bob.token);
      const texts: string[] = [];
      let afterId = newest;
      for (let i = 0; i < 10; i++) {
        const page = dataOf(await ask(back, "dm:page", { userId: alice.user.id, afterId, limit: 2 }));
        texts.push(...page.messages.map((m) => m.text));
        afterId = page.messages.at(-1)?.id ?? afterId;
        if (!page.hasMore) break;
      }
      assert.deepEqual(texts, ["m1", "m2", "m3", "m4", "m5"]);
      const older = dataOf(
        await ask(back, "dm:page", { userId: alice.user.id, beforeId: afterId, limit: 3 }),
      );
      assert.deepEqual(
        older.messages.map((m) => m.text),
        ["m2", "m3", "m4"],
      );
      assert.equal(older.hasMore, true);
    });

    it("conversations: the most recent first, with the other user's name and the newest message", async () => {
      const app = await node();
      const { members } = await app.groupWith(3);
      const [alice, bob, carol] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
      const [a, b, c] = await Promise.all([alice, bob, carol].map((m) => app.connect("/chat", m.token)));
      // Recency is the messages' server time: each send in a millisecond of its own (ties sort by id).
      const nextMillisecond = async () => {
        const now = Date.now();
        while (Date.now() === now) await new Promise((resolve) => setImmediate(resolve));
      };
      dataOf(await ask(a!, "dm:send", { toUserId: bob.user.id, text: "to bob", clientMsgId: "1" }));
      await nextMillisecond();
      dataOf(await ask(c!, "dm:send", { toUserId: alice.user.id, text: "from carol", clientMsgId: "1" }));
      await nextMillisecond();
      dataOf(await ask(b!, "dm:send", { toUserId: alice.user.id, text: "bob again", clientMsgId: "2" }));
      const list = dataOf(await ask(a!, "dm:conversations", {}));
      assert.deepEqual(
        list.conversations.map((conv) => [conv.userId, conv.username, conv.lastMessage.text]),
        [
          [bob.user.id, bob.user.username, "bob again"],
          [carol.user.id, carol.user.username, "from carol"],
        ],
      );
    });

    if (backend !== "embedded") {
      it("two nodes: a message sent on A reaches the recipient's devices on B", async () => {
        const prefix = `dm-shared${++run}:`;
        const a = await node(prefix);
        const b = await node(prefix);
        const { members } = await a.groupWith(2);
        const sender = await a.connect("/chat", members[0]!.token);
        const far = await b.connect("/chat", members[1]!.token);
        const arrived = waitFor(far, "dm:new");
        const { message } = dataOf(
          await ask(sender, "dm:send", {
            toUserId: members[1]!.user.id,
            text: "across",
            clientMsgId: "x",
          }),
        );
        assert.deepEqual(await arrived, message);
      });
    }
  });
}
