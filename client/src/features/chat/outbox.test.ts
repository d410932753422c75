import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChatClientEvents, ChatMessage, ChatServerEvents } from "@convoy/shared";
import type { ChatSocket } from "../../net/socket-port.ts";
import type { QueueStore } from "../../net/durable-queue.ts";
import { chatMessage } from "../../testing/chat-message.ts";
import { FakeClock } from "../../testing/fake-clock.ts";
import { FakeSocket } from "../../testing/fake-socket.ts";
import { request } from "../../net/request.ts";
import { memoryQueues } from "../../testing/memory-queues.ts";
import { settle } from "../../testing/settle.ts";
import { createOutbox, type OutgoingMessage } from "./outbox.ts";

function setup(queues: QueueStore = memoryQueues(), idPrefix = "c") {
  const clock = new FakeClock();
  const socket = new FakeSocket<ChatServerEvents, ChatClientEvents>(clock);
  const port: ChatSocket = socket;
  const sent: ChatMessage[] = [];
  let n = 0;
  const outbox = createOutbox({
    socket,
    queue: queues.queue<OutgoingMessage>("me", "chat"),
    clock,
    conversationOf: (to: { groupId: string }) => to.groupId,
    send: ({ groupId, text, clientMsgId }) => request(port, "message:send", { groupId, text, clientMsgId }),
    onSent: (message) => sent.push(message),
    newId: () => `${idPrefix}${++n}`,
  });
  outbox.start();
  const queue = (text: string) => {
    outbox.add({ groupId: "g1" }, text);
    outbox.flush();
  };
  return { clock, socket, queues, sent, outbox, queue };
}

describe("outbox", () => {
  it("sends in the order typed, one at a time, each after the previous one's ack", async () => {
    const { socket, sent, outbox, queue } = setup();
    socket.accept();
    for (const text of ["one", "two", "three"]) queue(text);
    await settle();
    for (const [i, text] of ["one", "two", "three"].entries()) {
      assert.deepEqual(socket.asked("message:send"), [{ groupId: "g1", text, clientMsgId: `c${i + 1}` }]);
      socket.answer("message:send", {
        ok: true,
        data: { message: chatMessage(i + 1, { text, clientMsgId: `c${i + 1}` }) },
      });
      await settle();
    }
    assert.deepEqual(
      sent.map((m) => m.text),
      ["one", "two", "three"],
    );
    assert.deepEqual(outbox.messages.value, []);
  });

  it("keeps what waits on the device, and after a reload it is pending again, failed or not", async () => {
    const { queues, socket, queue, outbox } = setup();
    queue("offline one");
    queue("offline two");
    socket.accept();
    outbox.flush();
    await settle();
    socket.answer("message:send", { ok: false, error: { code: "FORBIDDEN", message: "not a member" } });
    await settle();
    assert.equal(outbox.messages.value[0]?.state, "failed");

    const reloaded = setup(queues).outbox;
    await settle();
    assert.deepEqual(
      reloaded.messages.value.map((m) => [m.text, m.state]),
      [
        ["offline one", "pending"],
        ["offline two", "pending"],
      ],
    );
  });

  it("[outbox] what was kept goes first: a message typed while the queue is still being read comes after it", async () => {
    const queues = memoryQueues();
    const first = setup(queues);
    first.queue("kept one");
    first.outbox.stop();
    await settle();
    const { socket, outbox, queue } = setup(queues, "after-reload-");
    queue("typed at once");
    socket.accept();
    outbox.flush();
    assert.deepEqual(socket.asked("message:send"), [], "nothing before the queue is read");
    await settle();
    assert.deepEqual(
      outbox.messages.value.map((m) => m.text),
      ["kept one", "typed at once"],
    );
    assert.deepEqual(
      socket.asked("message:send").map((m) => m.text),
      ["kept one"],
    );
  });

  it("a refused message is failed with the server's reason; Retry sends it with the same clientMsgId", async () => {
    const { socket, outbox, queue } = setup();
    socket.accept();
    queue("too fast");
    await settle();
    socket.answer("message:send", {
      ok: false,
      error: { code: "RATE_LIMITED", message: "Slow down.", retryAfterMs: 500 },
    });
    await settle();
    assert.deepEqual(
      outbox.messages.value.map((m) => [m.state, m.error]),
      [["failed", "Slow down."]],
    );
    assert.deepEqual(socket.asked("message:send"), [], "not retried by itself");

    outbox.retry("c1");
    await settle();
    assert.deepEqual(socket.asked("message:send"), [{ groupId: "g1", text: "too fast", clientMsgId: "c1" }]);
  });

  it("no answer while still connected: failed, so the user decides", async () => {
    const { clock, socket, outbox, queue } = setup();
    socket.accept();
    queue("into the void");
    await clock.advance(10_000);
    assert.deepEqual(
      outbox.messages.value.map((m) => [m.state, m.error]),
      [["failed", "No answer from the server."]],
    );
  });

  it("a message the server echoed (another tab, a late ack) is no longer outgoing; discard drops one", () => {
    const { outbox } = setup();
    outbox.add({ groupId: "g1" }, "a");
    outbox.add({ groupId: "g1" }, "b");
    outbox.delivered("g2", "c1"); // another group's message with that id: not this one
    outbox.delivered("g1", "c1");
    outbox.discard("c2");
    assert.deepEqual(outbox.messages.value, []);
  });

  it("stopped, it sends nothing more", async () => {
    const { socket, outbox, queue } = setup();
    socket.accept();
    outbox.stop();
    queue("after the end");
    await settle();
    assert.deepEqual(socket.emitted, []);
  });
});
