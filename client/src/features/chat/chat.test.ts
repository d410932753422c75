import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LIMITS, type ChatClientEvents, type ChatServerEvents } from "@convoy/shared";
import type { QueueStore } from "../../net/durable-queue.ts";
import type { JsonStorage } from "../../net/storage.ts";
import { chatMessage } from "../../testing/chat-message.ts";
import { FakeClock } from "../../testing/fake-clock.ts";
import { FakeSocket } from "../../testing/fake-socket.ts";
import { memoryQueues } from "../../testing/memory-queues.ts";
import { memoryStorage } from "../../testing/memory-storage.ts";
import { settle } from "../../testing/settle.ts";
import { createChat } from "./chat.ts";

function setup(storage: JsonStorage = memoryStorage(), queues: QueueStore = memoryQueues()) {
  const clock = new FakeClock();
  const socket = new FakeSocket<ChatServerEvents, ChatClientEvents>(clock);
  let n = 0;
  const chat = createChat({
    socket,
    storage,
    queue: queues.queue("me", "chat"),
    clock,
    api: () => Promise.reject(new Error("no HTTP in this test")),
    userId: "me",
    newId: () => `c${++n}`,
  });
  chat.start();
  return { clock, socket, storage, queues, chat };
}

const texts = (chat: ReturnType<typeof setup>["chat"], groupId = "g1") =>
  (chat.messagesByGroup.value[groupId] ?? []).map((m) => m.text);

describe("chat", () => {
  it("joins the rooms it follows on connect, and again after a reconnect", async () => {
    const { socket, chat } = setup();
    chat.followGroup("g1");
    chat.followGroup("g2");
    assert.deepEqual(socket.asked("room:join"), [], "nothing is sent while offline");
    socket.accept();
    assert.deepEqual(socket.asked("room:join"), [{ groupId: "g1" }, { groupId: "g2" }]);
    socket.answer("room:join", { ok: true, data: { groupId: "g1", messages: [chatMessage(1)] } });
    socket.answer("room:join", { ok: true, data: { groupId: "g2", messages: [] } });
    await settle();
    assert.deepEqual(texts(chat), ["message 1"]);
    assert.equal(chat.hasEarlier.value.g1, false);

    socket.drop();
    socket.accept();
    assert.deepEqual(socket.asked("room:join"), [{ groupId: "g1" }, { groupId: "g2" }]);
  });

  it("after a reconnect, catches up page by page with messages:since from the last complete id", async () => {
    const { socket, chat } = setup();
    chat.followGroup("g1");
    socket.accept();
    socket.answer("room:join", {
      ok: true,
      data: { groupId: "g1", messages: [chatMessage(1), chatMessage(2)] },
    });
    await settle();

    socket.drop();
    socket.accept();
    // The join brings only the newest messages: 3 and 4 were missed in between.
    socket.answer("room:join", { ok: true, data: { groupId: "g1", messages: [chatMessage(5)] } });
    await settle();
    assert.deepEqual(socket.asked("messages:since"), [{ groupId: "g1", afterId: chatMessage(2).id }]);
    socket.answer("messages:since", {
      ok: true,
      data: { groupId: "g1", messages: [chatMessage(3), chatMessage(4)], hasMore: true },
    });
    await settle();
    assert.deepEqual(socket.asked("messages:since"), [{ groupId: "g1", afterId: chatMessage(4).id }]);
    socket.answer("messages:since", {
      ok: true,
      data: { groupId: "g1", messages: [chatMessage(5)], hasMore: false },
    });
    await settle();
    assert.deepEqual(socket.asked("messages:since"), []);
    assert.deepEqual(texts(chat), ["message 1", "message 2", "message 3", "message 4", "message 5"]);

    // Cut short by another drop: the next catch-up starts from 5, the last complete id.
    socket.drop();
    socket.accept();
    socket.answer("room:join", { ok: true, data: { groupId: "g1", messages: [chatMessage(9)] } });
    await settle();
    assert.deepEqual(socket.asked("messages:since"), [{ groupId: "g1", afterId: chatMessage(5).id }]);
  });

  it("a join refused with RATE_LIMITED is tried again after retryAfterMs", async () => {
    const { clock, socket, chat } = setup();
    chat.followGroup("g1");
    socket.accept();
    socket.answer("room:join", {
      ok: false,
      error: { code: "RATE_LIMITED", message: "Slow down.", retryAfterMs: 700 },
    });
    await clock.advance(699);
    assert.deepEqual(socket.asked("room:join"), []);
    await clock.advance(1);
    assert.deepEqual(socket.asked("room:join"), [{ groupId: "g1" }]);
    socket.answer("room:join", { ok: true, data: { groupId: "g1", messages: [chatMessage(1)] } });
    await settle();
    assert.deepEqual(texts(chat), ["message 1"]);
  });

  it("a send cut off by a lost connection goes again on reconnect, with the same clientMsgId, after the rooms", async () => {
    const { socket, chat } = setup();
    chat.followGroup("g1");
    socket.accept();
    socket.answer("room:join", { ok: true, data: { groupId: "g1", messages: [] } });
    await settle();
    chat.sendMessage("g1", "  on my way ");
    assert.deepEqual(socket.asked("message:send"), [{ groupId: "g1", text: "on my way", clientMsgId: "c1" }]);
    socket.drop(); // the ack never comes
    await settle();
    assert.deepEqual(
      chat.outbox.value.map((m) => m.state),
      ["pending"],
    );

    socket.accept();
    await settle();
    assert.deepEqual(socket.asked("message:send"), [], "rooms first");
    socket.answer("room:join", { ok: true, data: { groupId: "g1", messages: [] } });
    await settle();
    assert.deepEqual(socket.asked("message:send"), [{ groupId: "g1", text: "on my way", clientMsgId: "c1" }]);
    socket.answer("message:send", {
      ok: true,
      data: { message: chatMessage(1, { userId: "me", text: "on my way", clientMsgId: "c1" }) },
    });
    await settle();
    assert.deepEqual(chat.outbox.value, []);
    assert.deepEqual(texts(chat), ["on my way"]);
  });

  it("what waited offline survives a reload and goes out on the next connect", async () => {
    const first = setup();
    first.chat.sendMessage("g1", "typed in a tunnel");
    first.chat.stop();

    const { socket, chat } = setup(first.storage, first.queues);
    await settle();
    assert.deepEqual(
      chat.outbox.value.map((m) => [m.text, m.state]),
      [["typed in a tunnel", "pending"]],
    );
    socket.accept();
    await settle();
    assert.deepEqual(socket.asked("message:send"), [
      { groupId: "g1", text: "typed in a tunnel", clientMsgId: "c1" },
    ]);
  });

  it("a message echoed by message:new is shown once and leaves the outbox; its author stops typing", async () => {
    const { socket, chat } = setup();
    await settle(); // the outbox kept on the device is read first
    socket.accept();
    socket.fire("typing", { groupId: "g1", userId: "me", username: "me", typing: true });
    chat.sendMessage("g1", "hello");
    const mine = chatMessage(1, { userId: "me", username: "me", text: "hello", clientMsgId: "c1" });
    socket.fire("message:new", mine);
    socket.answer("message:send", { ok: true, data: { message: mine } });
    await settle();
    assert.deepEqual(chat.outbox.value, []);
    assert.deepEqual(texts(chat), ["hello"]);
    assert.deepEqual(chat.typingByGroup.value.g1, {});
  });

  it("counts unread messages from others and keeps the read mark on the device", () => {
    const storage = memoryStorage();
    const { socket, chat } = setup(storage);
    socket.fire("message:new", chatMessage(1));
    socket.fire("message:new", chatMessage(2, { userId: "me" }));
    socket.fire("message:new", chatMessage(3));
    assert.equal(chat.unreadCount("g1"), 2);
    chat.markRead("g1");
    assert.equal(chat.unreadCount("g1"), 0);
    assert.deepEqual(storage.loadJson("convoy.me.lastRead", {}), { g1: chatMessage(3).id });
    assert.deepEqual(setup(storage).chat.lastRead.value, { g1: chatMessage(3).id });
  });

  it("shows who is typing until they stop or go quiet, and sends its own typing sparingly", async () => {
    const { clock, socket, chat } = setup();
    socket.accept();
    socket.fire("typing", { groupId: "g1", userId: "u2", username: "bob", typing: true });
    assert.equal(chat.typingByGroup.value.g1?.u2?.username, "bob");
    await clock.advance(5000);
    assert.ok(chat.typingByGroup.value.g1?.u2, "still shown after five seconds");
    await clock.advance(1000);
    assert.deepEqual(chat.typingByGroup.value.g1, {});

    chat.sendTyping("g1", true);
    chat.sendTyping("g1", true);
    await clock.advance(2500);
    chat.sendTyping("g1", true);
    chat.sendTyping("g1", false);
    chat.sendTyping("g1", false);
    assert.deepEqual(
      socket.sent("typing").map((t) => t.typing),
      [true, true, false],
    );
  });

  it("marks the first page's history as having more when it is full", async () => {
    const { socket, chat } = setup();
    chat.followGroup("g1");
    socket.accept();
    const page = Array.from({ length: LIMITS.joinHistory }, (_, i) => chatMessage(i + 1));
    socket.answer("room:join", { ok: true, data: { groupId: "g1", messages: page } });
    await settle();
    assert.equal(chat.hasEarlier.value.g1, true);
  });

  it("kept from an earlier visit with the point known complete: the join catches up from there, no hole", async () => {
    const { socket, chat } = setup();
    chat.restore("g1", [chatMessage(1), chatMessage(2)], chatMessage(2).id);
    assert.deepEqual(texts(chat), ["message 1", "message 2"]);
    chat.followGroup("g1");
    socket.accept();
    const newest = Array.from({ length: LIMITS.joinHistory }, (_, i) => chatMessage(i + 100));
    socket.answer("room:join", { ok: true, data: { groupId: "g1", messages: newest } });
    await settle();
    assert.deepEqual(socket.asked("messages:since"), [{ groupId: "g1", afterId: chatMessage(2).id }]);
  });

  it("kept without a complete point: a full newest page that does not reach back replaces them (no hole shown)", async () => {
    const { socket, chat } = setup();
    chat.restore("g1", [chatMessage(1), chatMessage(2)], null);
    chat.followGroup("g1");
    socket.accept();
    const newest = Array.from({ length: LIMITS.joinHistory }, (_, i) => chatMessage(i + 100));
    socket.answer("room:join", { ok: true, data: { groupId: "g1", messages: newest } });
    await settle();
    assert.equal(texts(chat)[0], "message 100");
    assert.equal(texts(chat).length, LIMITS.joinHistory);
    assert.equal(chat.hasEarlier.value.g1, true, "the older ones load on request");
  });

  it("kept without a complete point: a newest page that reaches back keeps them", async () => {
    const { socket, chat } = setup();
    chat.restore("g1", [chatMessage(1), chatMessage(2)], null);
    chat.followGroup("g1");
    socket.accept();
    socket.answer("room:join", {
      ok: true,
      data: { groupId: "g1", messages: [chatMessage(2), chatMessage(3)] },
    });
    await settle();
    assert.deepEqual(texts(chat), ["message 1", "message 2", "message 3"]);
  });

  it("stopped, it leaves no listener and no timer, and a pending retry is cancelled", async () => {
    const { clock, socket, chat } = setup();
    chat.followGroup("g1");
    socket.accept();
    socket.answer("room:join", { ok: false, error: { code: "INTERNAL", message: "oops" } });
    await settle();
    assert.ok(clock.pending > 0);
    chat.stop();
    assert.equal(socket.listenerCount, 0);
    assert.equal(clock.pending, 0);
    await clock.advance(10_000);
    assert.deepEqual(socket.asked("room:join"), []);
  });
});
