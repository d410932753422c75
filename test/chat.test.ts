import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { ChatMessage, SendMessage } from "@convoy/shared";
import { startApp, type TestApp } from "./support/app.ts";
import { ask, type ChatSocket } from "./support/sockets.ts";
import { collect, expectSilence, waitFor } from "./support/wait.ts";

const sendOk = async (client: ChatSocket, payload: SendMessage) => {
  const res = await ask(client, "message:send", payload);
  assert.ok(res.ok, JSON.stringify(res));
  return res.data.message;
};

describe("[3 /chat]", () => {
  let app: TestApp;
  // The rate limit has its own tests (limits.test.ts); here it would only slow seeding.
  beforeEach(async () => (app = await startApp({ limits: { chatBurst: 1000 } })));
  afterEach(() => app.close());

  async function room(count: number) {
    const { group, members } = await app.groupWith(count);
    const sockets = await Promise.all(members.map((m) => app.connect("/chat", m.token)));
    for (const socket of sockets) {
      const joined = await ask(socket, "room:join", { groupId: group.id });
      assert.ok(joined.ok);
    }
    return { group, members, sockets };
  }

  it("message:send acks {message} and message:new reaches everyone in the room, the sender included", async () => {
    const { group, members, sockets } = await room(3);
    const [alice, bob, carol] = sockets as [ChatSocket, ChatSocket, ChatSocket];
    const seen = [waitFor(alice, "message:new"), waitFor(bob, "message:new"), waitFor(carol, "message:new")];
    const before = Date.now();
    const message = await sendOk(alice, { groupId: group.id, text: "  on my way  ", clientMsgId: "m1" });
    assert.deepEqual(Object.keys(message).sort(), [
      "clientMsgId",
      "groupId",
      "id",
      "text",
      "ts",
      "userId",
      "username",
    ]);
    assert.equal(message.text, "on my way");
    assert.equal(message.userId, members[0]!.user.id);
    assert.equal(message.username, members[0]!.user.username);
    assert.ok(message.ts >= before && message.ts <= Date.now());
    for (const delivery of await Promise.all(seen)) assert.deepEqual(delivery, message);
  });

  it("room:join answers the last 50 messages, oldest first", async () => {
    const { group, sockets } = await room(1);
    const [alice] = sockets as [ChatSocket];
    for (let i = 1; i <= 55; i++)
      await sendOk(alice, { groupId: group.id, text: `n${i}`, clientMsgId: `k${i}` });
    const late = await app.member();
    await app.http("POST", "/api/groups/join", { inviteCode: group.inviteCode }, late.token);
    const socket = await app.connect("/chat", late.token);
    const res = await ask(socket, "room:join", { groupId: group.id });
    assert.ok(res.ok);
    assert.equal(res.data.groupId, group.id);
    assert.equal(res.data.messages.length, 50);
    assert.equal(res.data.messages[0]!.text, "n6");
    assert.equal(res.data.messages[49]!.text, "n55");
  });

  it("message ids sort in send order within the group", async () => {
    const { group, sockets } = await room(2);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const message = await sendOk(sockets[i % 2]!, {
        groupId: group.id,
        text: `t${i}`,
        clientMsgId: `o${i}`,
      });
      ids.push(message.id);
    }
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });

  it("sending again with a stored clientMsgId returns the stored message and broadcasts nothing", async () => {
    const { group, sockets } = await room(2);
    const [alice, bob] = sockets as [ChatSocket, ChatSocket];
    const first = waitFor(bob, "message:new");
    const original = await sendOk(alice, { groupId: group.id, text: "hello", clientMsgId: "retry-1" });
    await first;
    const retried = await sendOk(alice, {
      groupId: group.id,
      text: "hello (edited)",
      clientMsgId: "retry-1",
    });
    assert.deepEqual(retried, original);
    await expectSilence(bob, "message:new");
    const page = await ask(alice, "messages:since", {
      groupId: group.id,
      afterId: "0",
    });
    assert.ok(page.ok);
    assert.equal(page.data.messages.length, 1);
  });

  it("a clientMsgId is scoped to its sender: another member's equal id is a new message", async () => {
    const { group, sockets } = await room(2);
    const [alice, bob] = sockets as [ChatSocket, ChatSocket];
    const a = await sendOk(alice, { groupId: group.id, text: "a", clientMsgId: "same" });
    const b = await sendOk(bob, { groupId: group.id, text: "b", clientMsgId: "same" });
    assert.notEqual(a.id, b.id);
    assert.equal(b.text, "b");
  });

  it("messages:since answers what came after afterId, oldest first, with hasMore", async () => {
    const { group, sockets } = await room(1);
    const [alice] = sockets as [ChatSocket];
    const sent: ChatMessage[] = [];
    for (let i = 0; i < 5; i++)
      sent.push(await sendOk(alice, { groupId: group.id, text: `s${i}`, clientMsgId: `s${i}` }));
    const res = await ask(alice, "messages:since", {
      groupId: group.id,
      afterId: sent[1]!.id,
      limit: 2,
    });
    assert.ok(res.ok);
    assert.deepEqual(res.data.messages, sent.slice(2, 4));
    assert.equal(res.data.hasMore, true);
    const rest = await ask(alice, "messages:since", {
      groupId: group.id,
      afterId: sent[3]!.id,
    });
    assert.ok(rest.ok);
    assert.deepEqual(rest.data.messages, sent.slice(4));
    assert.equal(rest.data.hasMore, false);
  });

  it("room:leave acks {groupId} and stops message:new", async () => {
    const { group, sockets } = await room(2);
    const [alice, bob] = sockets as [ChatSocket, ChatSocket];
    const left = await ask(bob, "room:leave", { groupId: group.id });
    assert.deepEqual(left, { ok: true, data: { groupId: group.id } });
    await sendOk(alice, { groupId: group.id, text: "still there?", clientMsgId: "l1" });
    await expectSilence(bob, "message:new");
  });

  it("typing reaches the others in the room, not the sender nor their other tabs", async () => {
    const { group, members, sockets } = await room(2);
    const [alice, bob] = sockets as [ChatSocket, ChatSocket];
    const aliceOtherTab = await app.connect("/chat", members[0]!.token);
    await ask(aliceOtherTab, "room:join", { groupId: group.id });
    const notice = waitFor(bob, "typing");
    const own = collect(alice, "typing");
    const ownOtherTab = collect(aliceOtherTab, "typing");
    alice.emit("typing", { groupId: group.id, typing: true });
    assert.deepEqual(await notice, {
      groupId: group.id,
      userId: members[0]!.user.id,
      username: members[0]!.user.username,
      typing: true,
    });
    await expectSilence(alice, "typing", 100);
    own.stop();
    ownOtherTab.stop();
    assert.equal(ownOtherTab.seen.length, 0, "not to the sender's other tabs either");
  });

  it("only members touch a group's room: FORBIDDEN for others, NOT_FOUND for no such group", async () => {
    const { group, sockets } = await room(1);
    const outsider = await app.member();
    const socket = await app.connect("/chat", outsider.token);
    const events = collect(socket, "message:new");
    for (const [event, payload] of [
      ["room:join", { groupId: group.id }],
      ["room:leave", { groupId: group.id }],
      ["message:send", { groupId: group.id, text: "hi", clientMsgId: "x" }],
      ["messages:since", { groupId: group.id, afterId: "0" }],
    ] as const) {
      const res = await ask(socket, event, payload);
      assert.equal(res.ok, false);
      if (!res.ok) assert.equal(res.error.code, "FORBIDDEN", event);
      const missing = await ask(socket, event, { ...payload, groupId: "no-such-group" });
      if (!missing.ok) assert.equal(missing.error.code, "NOT_FOUND", event);
      assert.equal(missing.ok, false);
    }
    socket.emit("typing", { groupId: group.id, typing: true });
    await expectSilence(sockets[0]!, "typing", 150);
    await sendOk(sockets[0]!, { groupId: group.id, text: "members only", clientMsgId: "mo" });
    await expectSilence(socket, "message:new", 100);
    assert.equal(events.seen.length, 0);
  });

  it("a message is stored before it is broadcast: a reconnecting client finds it with messages:since", async () => {
    const { group, members, sockets } = await room(2);
    const [alice, bob] = sockets as [ChatSocket, ChatSocket];
    const last = await sendOk(alice, { groupId: group.id, text: "before the tunnel", clientMsgId: "t1" });
    await waitFor(bob, "message:new");
    bob.disconnect();
    const missed = await sendOk(alice, { groupId: group.id, text: "while you were out", clientMsgId: "t2" });
    const back = await app.connect("/chat", members[1]!.token);
    await ask(back, "room:join", { groupId: group.id });
    const res = await ask(back, "messages:since", {
      groupId: group.id,
      afterId: last.id,
    });
    assert.ok(res.ok);
    assert.deepEqual(res.data.messages, [missed]);
  });
});
