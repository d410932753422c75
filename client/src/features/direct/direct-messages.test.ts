import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChatClientEvents, ChatServerEvents, Conversation, DirectMessage } from "@convoy/shared";
import type { QueueStore } from "../../net/durable-queue.ts";
import type { JsonStorage } from "../../net/storage.ts";
import { directMessage } from "../../testing/direct-message.ts";
import { FakeClock } from "../../testing/fake-clock.ts";
import { FakeSocket } from "../../testing/fake-socket.ts";
import { memoryQueues } from "../../testing/memory-queues.ts";
import { memoryStorage } from "../../testing/memory-storage.ts";
import { settle } from "../../testing/settle.ts";
import { createDirectMessages } from "./direct-messages.ts";

function setup(storage: JsonStorage = memoryStorage(), queues: QueueStore = memoryQueues()) {
  const clock = new FakeClock();
  const socket = new FakeSocket<ChatServerEvents, ChatClientEvents>(clock);
  let n = 0;
  const direct = createDirectMessages({
    socket,
    storage,
    queue: queues.queue("me", "direct"),
    clock,
    userId: "me",
    newId: () => `c${++n}`,
  });
  direct.start();
  /** Connects and answers dm:conversations with `list`. */
  const connect = async (list: Conversation[] = []) => {
    socket.accept();
    socket.answer("dm:conversations", { ok: true, data: { conversations: list } });
    await settle();
  };
  /** Answers the oldest dm:page asked. */
  const page = async (userId: string, messages: DirectMessage[], hasMore = false) => {
    socket.answer("dm:page", { ok: true, data: { userId, messages, hasMore } });
    await settle();
  };
  return { clock, socket, storage, queues, direct, connect, page };
}

const conversation = (last: DirectMessage, userId = "friend", username = "Frida"): Conversation => ({
  userId,
  username,
  lastMessage: last,
});
const texts = (direct: ReturnType<typeof setup>["direct"], userId = "friend") =>
  (direct.messagesByUser.value[userId] ?? []).map((m) => m.text);
const mine = (n: number, fields: Partial<DirectMessage> = {}) =>
  directMessage(n, { userId: "me", username: "me", toUserId: "friend", ...fields });

describe("direct messages", () => {
  it("lists the conversations on connect, and fetches the newest page of those with something unseen", async () => {
    const { socket, direct, connect, page } = setup();
    assert.deepEqual(socket.asked("dm:conversations"), [], "nothing is asked while offline");
    await connect([
      conversation(directMessage(2, { ts: 20 })),
      conversation(mine(7, { toUserId: "quiet", ts: 10 }), "quiet", "Quinn"),
    ]);
    assert.deepEqual(
      direct.conversations.value.map((c) => c.username),
      ["Frida", "Quinn"],
    );
    // Quinn was answered last by this user: nothing new there, nothing fetched.
    assert.deepEqual(socket.asked("dm:page"), [{ userId: "friend", beforeId: null, limit: 50 }]);
    await page("friend", [mine(1), directMessage(2)]);
    assert.equal(direct.unreadCount("friend"), 1);
    assert.equal(direct.unreadTotal.value, 1);
    assert.equal(direct.hasEarlier.value.friend, false);
    assert.equal(direct.nameOf("quiet"), "Quinn");
  });

  it("a dm:new in the open conversation is shown once, and its conversation goes first", async () => {
    const { socket, direct, connect, page } = setup();
    await connect([conversation(directMessage(1, { ts: 1 })), conversation(mine(5, { ts: 5 }), "u2", "Uma")]);
    await page("friend", [directMessage(1)]);
    direct.open("friend");
    direct.markRead("friend");
    assert.deepEqual(socket.asked("dm:page"), [], "already held: nothing to fetch");
    socket.fire("dm:new", directMessage(2, { ts: 9 }));
    socket.fire("dm:new", directMessage(2, { ts: 9 }));
    assert.deepEqual(texts(direct), ["dm 1", "dm 2"]);
    assert.deepEqual(
      direct.conversations.value.map((c) => [c.userId, c.lastMessage.text]),
      [
        ["friend", "dm 2"],
        ["u2", "dm 5"],
      ],
    );
    assert.equal(direct.unreadCount("friend"), 1, "new until the view has shown it");
  });

  it("a dm:new in a conversation not held adds it to the list with its count, and fetches its newest page", async () => {
    const { socket, direct, connect, page } = setup();
    await connect();
    socket.fire("dm:new", directMessage(3, { userId: "newbie", username: "Nell", ts: 3 }));
    assert.deepEqual(
      direct.conversations.value.map((c) => [c.userId, c.username]),
      [["newbie", "Nell"]],
    );
    assert.equal(direct.unreadCount("newbie"), 1);
    assert.equal(direct.unreadTotal.value, 1);
    assert.deepEqual(socket.asked("dm:page"), [{ userId: "newbie", beforeId: null, limit: 50 }]);
    await page("newbie", [
      mine(2, { toUserId: "newbie" }),
      directMessage(3, { userId: "newbie", username: "Nell" }),
    ]);
    assert.deepEqual(texts(direct, "newbie"), ["dm 2", "dm 3"], "the page and the live message, once");
    assert.equal(direct.unreadCount("newbie"), 1);
  });

  it("counts messages from the other side after the read mark, and keeps the mark on the device per user", async () => {
    const storage = memoryStorage();
    const { socket, direct, connect } = setup(storage);
    await connect();
    direct.open("friend", "Frida");
    socket.fire("dm:new", directMessage(1));
    socket.fire("dm:new", mine(2));
    socket.fire("dm:new", directMessage(3));
    assert.equal(direct.unreadCount("friend"), 2);
    direct.markRead("friend");
    assert.equal(direct.unreadCount("friend"), 0);
    assert.equal(direct.unreadTotal.value, 0);
    assert.deepEqual(storage.loadJson("convoy.me.dmLastRead", {}), { friend: directMessage(3).id });

    // After a reload the list shows the same last message: seen already, so not even fetched.
    const reloaded = setup(storage);
    assert.deepEqual(reloaded.direct.lastRead.value, { friend: directMessage(3).id });
    await reloaded.connect([conversation(directMessage(3))]);
    assert.deepEqual(reloaded.socket.asked("dm:page"), []);
    assert.equal(reloaded.direct.unreadTotal.value, 0);
  });

  it("after a reconnect, catches up page by page with afterId from the newest id held, bounded", async () => {
    const { socket, direct, connect, page } = setup();
    await connect();
    direct.open("friend", "Frida");
    await page("friend", [directMessage(1), directMessage(2)]);

    socket.drop();
    await connect();
    assert.deepEqual(socket.asked("dm:page"), [{ userId: "friend", afterId: directMessage(2).id }]);
    await page("friend", [directMessage(3), directMessage(4)], true);
    assert.deepEqual(socket.asked("dm:page"), [{ userId: "friend", afterId: directMessage(4).id }]);
    await page("friend", [directMessage(5)]);
    assert.deepEqual(socket.asked("dm:page"), []);
    assert.deepEqual(texts(direct), ["dm 1", "dm 2", "dm 3", "dm 4", "dm 5"]);

    // A server that always says there is more: the client stops after 50 pages.
    socket.drop();
    await connect();
    let pages = 0;
    while (socket.asked("dm:page").length > 0) {
      pages++;
      await page("friend", [directMessage(5 + pages)], true);
    }
    assert.equal(pages, 50);
  });

  it("an empty conversation opened from the member list catches up from its first message", async () => {
    const { socket, direct, connect, page } = setup();
    await connect();
    direct.open("friend", "Frida");
    await page("friend", []);
    assert.equal(direct.hasEarlier.value.friend, false);
    socket.drop();
    await connect();
    assert.deepEqual(socket.asked("dm:page"), [{ userId: "friend", afterId: "0" }]);
  });

  it("sends in the order typed, one at a time, and shows each once acked", async () => {
    const { socket, direct, connect, page } = setup();
    await connect();
    direct.open("friend", "Frida");
    await page("friend", []);
    for (const text of ["one", " two ", "three"]) direct.send("friend", text);
    for (const [i, text] of ["one", "two", "three"].entries()) {
      assert.deepEqual(socket.asked("dm:send"), [{ toUserId: "friend", text, clientMsgId: `c${i + 1}` }]);
      socket.answer("dm:send", {
        ok: true,
        data: { message: mine(i + 1, { text, clientMsgId: `c${i + 1}` }) },
      });
      await settle();
    }
    assert.deepEqual(texts(direct), ["one", "two", "three"]);
    assert.deepEqual(direct.outbox.value, []);
    assert.equal(direct.conversations.value[0]?.lastMessage.text, "three");
  });

  it("what waited offline survives a reload and goes out on the next connect with the same clientMsgId", async () => {
    const first = setup();
    first.direct.send("friend", "typed in a tunnel");
    first.direct.stop();

    const { socket, direct } = setup(first.storage, first.queues);
    await settle();
    assert.deepEqual(
      direct.outbox.value.map((m) => [m.toUserId, m.text, m.state]),
      [["friend", "typed in a tunnel", "pending"]],
    );
    socket.accept();
    await settle();
    assert.deepEqual(socket.asked("dm:send"), [
      { toUserId: "friend", text: "typed in a tunnel", clientMsgId: "c1" },
    ]);
  });

  it("a send refused with FORBIDDEN is failed with the server's reason; Retry sends the same clientMsgId", async () => {
    const { socket, direct, connect } = setup();
    await connect();
    direct.send("stranger", "hi");
    socket.answer("dm:send", {
      ok: false,
      error: { code: "FORBIDDEN", message: "you can message only people you share a group with" },
    });
    await settle();
    assert.deepEqual(
      direct.outbox.value.map((m) => [m.state, m.error]),
      [["failed", "you can message only people you share a group with"]],
    );
    assert.deepEqual(socket.asked("dm:send"), [], "not retried by itself");
    direct.retryMessage("c1");
    await settle();
    assert.deepEqual(socket.asked("dm:send"), [{ toUserId: "stranger", text: "hi", clientMsgId: "c1" }]);
    direct.discardMessage("c1");
    assert.deepEqual(direct.outbox.value, []);
  });

  it("its own message echoed by dm:new (another tab, a late ack) leaves the outbox; the other side's same clientMsgId does not", async () => {
    const { socket, direct, connect } = setup();
    await connect();
    direct.send("friend", "hello");
    socket.fire("dm:new", directMessage(1, { clientMsgId: "c1" }));
    assert.equal(direct.outbox.value.length, 1);
    socket.fire("dm:new", mine(2, { text: "hello", clientMsgId: "c1" }));
    assert.deepEqual(direct.outbox.value, []);
    socket.answer("dm:send", { ok: true, data: { message: mine(2, { text: "hello", clientMsgId: "c1" }) } });
    await settle();
    assert.deepEqual(texts(direct), ["dm 1", "hello"]);
  });

  it("loads earlier messages with beforeId the oldest held", async () => {
    const { socket, direct, connect, page } = setup();
    await connect();
    direct.open("friend", "Frida");
    await page("friend", [directMessage(51), directMessage(52)], true);
    assert.equal(direct.hasEarlier.value.friend, true);
    const loading = direct.loadEarlier("friend");
    assert.deepEqual(socket.asked("dm:page"), [
      { userId: "friend", beforeId: directMessage(51).id, limit: 50 },
    ]);
    await page("friend", [directMessage(50)]);
    await loading;
    assert.deepEqual(texts(direct), ["dm 50", "dm 51", "dm 52"]);
    assert.equal(direct.hasEarlier.value.friend, false);
  });

  it("stopped, it leaves no listener and no timer, and a pending retry of the list is cancelled", async () => {
    const { clock, socket, direct } = setup();
    socket.accept();
    socket.answer("dm:conversations", { ok: false, error: { code: "INTERNAL", message: "oops" } });
    await settle();
    assert.ok(clock.pending > 0);
    direct.stop();
    assert.equal(socket.listenerCount, 0);
    assert.equal(clock.pending, 0);
    await clock.advance(10_000);
    assert.deepEqual(socket.asked("dm:conversations"), []);
  });
});
