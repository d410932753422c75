import assert from "node:assert/strict";
import type { Socket as EngineSocket } from "engine.io";
import { afterEach, describe, it } from "node:test";
import { LIMITS, type Position } from "@convoy/shared";
import WebSocket from "ws";
import { startApp, type TestApp } from "./support/app.ts";
import { eventsIn, joinWithRawPolling, openPolling, pollUntil } from "./support/raw-engine.ts";
import { ask, emitRaw } from "./support/sockets.ts";
import { collect, waitFor, waitForEvent } from "./support/wait.ts";

describe("[4 limits]", () => {
  let app: TestApp;
  afterEach(() => app.close());

  it("a packet over 16 KiB closes that client's connection; the server and everyone else carry on", async () => {
    app = await startApp();
    const { group, members } = await app.groupWith(2);
    const [big, calm] = await Promise.all(members.map((m) => app.connect("/chat", m.token)));
    await ask(calm!, "room:join", { groupId: group.id });
    const closed = waitFor(big!, "disconnect");
    // Over every limit on purpose, and without an ack: emitRaw.
    emitRaw(big!, "message:send", [{ groupId: group.id, text: "x".repeat(64 * 1024), clientMsgId: "huge" }]);
    assert.match(await closed, /transport (close|error)/);
    const delivered = waitFor(calm!, "message:new");
    const res = await ask(calm!, "message:send", {
      groupId: group.id,
      text: "still here",
      clientMsgId: "ok",
    });
    assert.ok(res.ok);
    assert.equal((await delivered).text, "still here");
    const page = await ask(calm!, "messages:since", {
      groupId: group.id,
      afterId: "0",
    });
    assert.deepEqual(page.ok && page.data.messages.map((m) => m.clientMsgId), ["ok"]);
  });

  it("a long-polling POST over 16 KiB is refused and ends that session", async () => {
    app = await startApp();
    const raw = await openPolling(app.url);
    const status = await raw.send(`2/chat,["message:send",${JSON.stringify({ text: "y".repeat(20_000) })}]`);
    assert.equal(status, 413);
    assert.equal((await raw.poll()).status, 400);
    assert.equal((await app.http("GET", "/healthz")).status, 200);
  });

  it("a streamed (chunked) long-polling POST over 16 KiB ends its session too", async () => {
    app = await startApp();
    const raw = await openPolling(app.url);
    const chunk = new TextEncoder().encode("4" + "c".repeat(8 * 1024));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 3; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    // Answered 413, or cut off mid-body: either way the session must end.
    const status = await fetch(`${app.url}/socket.io/?EIO=4&transport=polling&sid=${raw.sid}`, {
      method: "POST",
      body,
      duplex: "half",
    }).then(
      (res) => res.status,
      () => "cut off",
    );
    assert.ok(status === 413 || status === "cut off", String(status));
    assert.equal((await raw.poll()).status, 400);
  });

  it("chat: 20 messages at once, then RATE_LIMITED; refused messages are neither stored nor broadcast", async () => {
    app = await startApp();
    const { group, members } = await app.groupWith(2);
    const [sender, reader] = await Promise.all(members.map((m) => app.connect("/chat", m.token)));
    await ask(reader!, "room:join", { groupId: group.id });
    const delivered = collect(reader!, "message:new");
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        ask(sender!, "message:send", {
          groupId: group.id,
          text: `burst ${i}`,
          clientMsgId: `b${i}`,
        }),
      ),
    );
    const accepted = results.filter((r) => r.ok).length;
    // 20 of burst, plus at most one token refilled (10/s) while the burst is handled.
    assert.ok(accepted >= LIMITS.chatBurst && accepted <= LIMITS.chatBurst + 1, `accepted ${accepted}`);
    for (const r of results.filter((r) => !r.ok)) assert.equal(!r.ok && r.error.code, "RATE_LIMITED");
    const page = await ask(reader!, "messages:since", {
      groupId: group.id,
      afterId: "0",
    });
    assert.equal(page.ok && page.data.messages.length, accepted);
    assert.equal(delivered.seen.length, accepted);
    // Another socket of the same user has its own budget.
    const second = await app.connect("/chat", members[0]!.token);
    const res = await ask(second, "message:send", {
      groupId: group.id,
      text: "fresh",
      clientMsgId: "f",
    });
    assert.ok(res.ok);
  });

  it("a subscriber that cannot keep up gets the newest position per rider, not a backlog", async () => {
    // The inbound limit is lifted so that every update reaches the fan-out.
    app = await startApp({ limits: { locationPerSecond: 10_000 } });
    const { group, members } = await app.groupWith(3);
    const [rider, slow, fast] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
    const raw = await openPolling(app.url);
    await joinWithRawPolling(raw, "/location", slow.token, "location:subscribe", { groupId: group.id });
    // From here on the slow subscriber does not poll: its connection is busy.

    const fastSocket = await app.connect("/location", fast.token);
    await ask(fastSocket, "location:subscribe", { groupId: group.id });
    const riderSocket = await app.connect("/location", rider.token);
    await ask(riderSocket, "location:share", { groupId: group.id, sharing: true });
    const count = 200;
    const newestTs = 1_800_000_000_000 + count;
    const fastGotNewest = waitFor(fastSocket, "location:update", {
      where: (p) => p.ts === newestTs,
    });
    for (let n = 1; n <= count; n++) {
      riderSocket.emit("location:update", {
        groupId: group.id,
        lat: 45,
        lng: 7 + n / 1e4,
        accuracy: null,
        heading: null,
        speed: null,
        ts: 1_800_000_000_000 + n,
      });
    }
    await fastGotNewest;

    const packets = await pollUntil(raw, (p) => p.includes(String(newestTs)), 5);
    const received = eventsIn(packets, "/location", "location:update") as Position[];
    assert.ok(received.length <= 2, `slow subscriber got ${received.length} of ${count}`);
    assert.equal(received.at(-1)!.ts, newestTs);
  });

  it("a client more than 1 MiB behind is disconnected; the others carry on", async () => {
    app = await startApp({ limits: { chatBurst: 100_000, chatPerSecond: 100_000, slowClientCheckMs: 50 } });
    const { group, members } = await app.groupWith(2);
    const [stuck, talker] = members as [(typeof members)[0], (typeof members)[0]];
    const engineConn = new Promise<EngineSocket>((resolve) => app.app.io.engine.once("connection", resolve));
    const raw = await openPolling(app.url);
    const conn = await engineConn;
    const cut = waitForEvent<string>(conn, "close", { ms: 10_000 });
    await joinWithRawPolling(raw, "/chat", stuck.token, "room:join", { groupId: group.id });

    const talk = await app.connect("/chat", talker.token);
    await ask(talk, "room:join", { groupId: group.id });
    const text = "z".repeat(LIMITS.messageText);
    // ~2 KiB a message: 600 of them put the stuck client past 1 MiB.
    let closedReason: string | null = null;
    void cut.then((reason) => (closedReason = reason));
    for (let i = 0; i < 1500 && closedReason === null; i++) {
      await ask(talk, "message:send", { groupId: group.id, text, clientMsgId: `flood${i}` });
    }
    assert.equal(await cut, "forced close");
    assert.equal((await raw.poll()).status, 400, "the session is gone");
    const heard = waitFor(talk, "message:new", { where: (m) => m.clientMsgId === "after" });
    await ask(talk, "message:send", { groupId: group.id, text: "after", clientMsgId: "after" });
    await heard;
  });

  it("half-open connections are closed after ping interval + ping timeout", async () => {
    app = await startApp({ limits: { pingIntervalMs: 100, pingTimeoutMs: 100 } });
    const ws = new WebSocket(`ws://127.0.0.1:${app.port}/socket.io/?EIO=4&transport=websocket`);
    // This client never answers pings, like a peer that vanished without a FIN.
    await waitForEvent(ws, "open");
    const started = Date.now();
    await waitForEvent(ws, "close", { ms: 2000 });
    assert.ok(Date.now() - started < 1000);
  });

  it("the default heartbeat detects a half-open connection within 45 seconds", async () => {
    app = await startApp();
    const res = await fetch(`${app.url}/socket.io/?EIO=4&transport=polling`);
    const open = JSON.parse((await res.text()).slice(1)) as {
      pingInterval: number;
      pingTimeout: number;
      maxPayload: number;
    };
    assert.ok(open.pingInterval + open.pingTimeout <= 45_000);
    assert.equal(open.maxPayload, LIMITS.packetBytes);
  });
});
