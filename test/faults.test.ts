// Faults with real processes: a node killed without a goodbye, a node
// restarted, and Redis itself restarted in the middle of traffic.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { ChatMessage, MessagePage } from "@convoy/shared";
import { startApp, type TestApp } from "./support/app.ts";
import { startNodeProcess } from "./support/process.ts";
import { startRedis, type TestRedis } from "./support/redis-server.ts";
import { ask, openSocket } from "./support/sockets.ts";
import { readyzBecomes, waitFor } from "./support/wait.ts";

const jwtSecret = randomBytes(32).toString("hex");

describe("[3 /presence] a node that dies without a goodbye", () => {
  let redis: TestRedis;
  let b: TestApp;
  before(async () => {
    redis = await startRedis();
    b = await startApp({ config: { redisUrl: redis.url, jwtSecret } });
  });
  after(async () => {
    await b.close();
    await redis.stop();
  });

  it("kill -9 of A puts its users offline for B's subscribers within 30 s; A restarted has the history", async () => {
    const { group, members } = await b.groupWith(2);
    const [watcher, rider] = members as [(typeof members)[0], (typeof members)[0]];
    const env = { REDIS_URL: redis.url, JWT_SECRET: jwtSecret };
    const a = await startNodeProcess(env);
    try {
      const watch = await b.connect("/presence", watcher.token);
      await ask(watch, "presence:subscribe", { groupId: group.id });
      const online = waitFor(watch, "presence:update", {
        where: (u) => u.userId === rider.user.id && u.status === "online",
      });
      const onA = openSocket(a.url, "/presence", {
        auth: { token: rider.token },
        transports: ["websocket"],
        reconnection: false,
      });
      const chatOnA = openSocket(a.url, "/chat", {
        auth: { token: rider.token },
        transports: ["websocket"],
        reconnection: false,
      });
      await online;
      await ask(chatOnA, "room:join", { groupId: group.id });
      const sent = await ask(chatOnA, "message:send", {
        groupId: group.id,
        text: "before the crash",
        clientMsgId: "k1",
      });
      assert.ok(sent.ok);

      const offline = waitFor(watch, "presence:update", {
        where: (u) => u.userId === rider.user.id && u.status === "offline",
        ms: 30_000,
      });
      const killedAt = Date.now();
      await a.stop("SIGKILL");
      const update = await offline;
      assert.ok(Date.now() - killedAt < 30_000);
      assert.ok(update.lastSeen !== null);
      onA.close();
      chatOnA.close();

      const restarted = await startNodeProcess(env);
      try {
        const res = await fetch(`${restarted.url}/api/groups/${group.id}/messages`, {
          headers: { authorization: `Bearer ${rider.token}` },
        });
        const page = (await res.json()) as MessagePage;
        assert.deepEqual(page.messages, [sent.data.message]);
      } finally {
        await restarted.stop();
      }
    } finally {
      await a.stop("SIGKILL");
    }
  });
});

describe("[3] Redis restarted in the middle of traffic", () => {
  let redis: TestRedis;
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    redis = await startRedis({ persist: true });
    const config = { redisUrl: redis.url, jwtSecret };
    // Bursty sending is the point here, not the chat rate limit.
    a = await startApp({ config, limits: { chatBurst: 10_000 } });
    b = await startApp({ config });
  });
  after(async () => {
    await a.close();
    await b.close();
    await redis.stop();
  });

  it("nodes keep their clients, /readyz says 503, and after Redis returns nothing acknowledged is lost", async () => {
    const { group, members } = await a.groupWith(2);
    const sender = await a.connect("/chat", members[0]!.token);
    const reader = await b.connect("/chat", members[1]!.token);
    await ask(sender, "room:join", { groupId: group.id });
    await ask(reader, "room:join", { groupId: group.id });
    const acked: ChatMessage[] = [];
    let refused = 0;
    const send = async (i: number) => {
      const res = await ask(sender, "message:send", {
        groupId: group.id,
        text: `m${i}`,
        clientMsgId: `r${i}`,
      });
      if (res.ok) acked.push(res.data.message);
      else refused++;
    };

    for (let i = 0; i < 20; i++) await send(i);
    await redis.kill();
    await readyzBecomes(a.url, 503);
    for (let i = 20; i < 40; i++) await send(i);
    assert.ok(refused > 0, "sends fail (and say so) while Redis is away");
    assert.ok(sender.connected && reader.connected, "clients stay connected");

    await redis.start();
    await readyzBecomes(a.url, 200);
    await readyzBecomes(b.url, 200);
    // Cross-node broadcasts work again once the subscriber is back (bounded retries).
    let heard: ChatMessage | null = null;
    for (let i = 40; i < 60 && !heard; i++) {
      const next = waitFor(reader, "message:new", {
        where: (m) => m.clientMsgId === `r${i}`,
        ms: 500,
      });
      await send(i);
      heard = await next.catch(() => null);
    }
    assert.ok(heard, "a message sent on A reaches B again");

    const page = await ask(reader, "messages:since", {
      groupId: group.id,
      afterId: "0",
    });
    assert.ok(page.ok);
    const stored = new Set(page.data.messages.map((m) => m.id));
    for (const message of acked)
      assert.ok(stored.has(message.id), `acknowledged ${message.clientMsgId} was kept`);
  });
});
