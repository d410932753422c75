// Clustered mode's cross-node broadcasts go on a Redis channel per room (#16
// item 1): a node hears only the rooms it has sockets in, and a join is
// answered only once the node hears the room, so nothing sent after the ack
// can miss it.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { startApp, type TestApp } from "./support/app.ts";
import { startRedis, type TestRedis } from "./support/redis-server.ts";
import { startSlowSubscribeProxy } from "./support/slow-subscribe-proxy.ts";
import { fixAt } from "./support/positions.ts";
import { ask, dataOf } from "./support/sockets.ts";
import { waitFor } from "./support/wait.ts";

/** One counter of a node's /metrics, summed over the label sets that match. */
async function counter(app: TestApp, name: string, labels: Record<string, string>): Promise<number> {
  const text = (await app.http("GET", "/metrics")).body;
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const matches = Object.entries(labels).every(([label, value]) => line.includes(`${label}="${value}"`));
    if (matches) total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

/** Polls (bounded) until `read` gives `expected`; the last value otherwise, for the assertion to show. */
async function settlesAt(read: () => Promise<number>, expected: number, ms = 5000): Promise<number> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

describe("[3] a Redis channel per room", () => {
  let redis: TestRedis;
  const nodes: TestApp[] = [];
  const jwtSecret = randomBytes(32).toString("hex");
  const limits = {
    chatPerSecond: 10_000,
    chatBurst: 10_000,
    eventsPerSocketPerSecond: 10_000,
    eventsPerUserPerSecond: 10_000,
    locationPerSecond: 10_000,
  };
  before(async () => {
    redis = await startRedis();
    for (let i = 0; i < 4; i++)
      nodes.push(await startApp({ config: { redisUrl: redis.url, jwtSecret }, limits }));
  });
  after(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await redis.stop();
  });

  it("a message sent on A right after B's join ack reaches B, 1,000 times out of 1,000", async () => {
    const [a, b] = nodes as [TestApp, TestApp];
    const { group, members } = await a.groupWith(2);
    const sender = await a.connect("/chat", members[0]!.token);
    const listener = await b.connect("/chat", members[1]!.token);
    const groupId = group.id;
    let arrived = 0;
    for (let i = 0; i < 1000; i++) {
      // Leaving empties B's room, so B stops hearing its channel; the join subscribes anew.
      dataOf(await ask(listener, "room:leave", { groupId }));
      dataOf(await ask(listener, "room:join", { groupId }));
      const text = `right after join ${i}`;
      const heard = waitFor(listener, "message:new", { where: (m) => m.text === text });
      dataOf(await ask(sender, "message:send", { groupId, text, clientMsgId: `m${i}` }));
      await heard.catch((err: Error) => {
        throw new Error(`iteration ${i}: ${err.message}`);
      });
      arrived++;
    }
    assert.equal(arrived, 1000);
  });

  it("[/location] a position of a group no other node hears is not published; one sent right after B's subscribe ack reaches B, 300 times out of 300", async () => {
    const [a, b] = nodes as [TestApp, TestApp];
    const { group, members } = await a.groupWith(2);
    const groupId = group.id;
    const rider = await a.connect("/location", members[0]!.token);
    const follower = await b.connect("/location", members[1]!.token);
    dataOf(await ask(rider, "location:share", { groupId, sharing: true }));
    // The rider sees their own positions on A: that is when A has handled each.
    dataOf(await ask(rider, "location:subscribe", { groupId }));
    const heardOnA = () =>
      counter(a, "convoy_cross_node_messages_received_total", { namespace: "/location" });
    const before = await heardOnA();
    let ts = 1;
    for (; ts <= 20; ts++) {
      const own = waitFor(rider, "location:update", { where: (p) => p.ts === ts });
      dataOf(await ask(rider, "location:update", fixAt(groupId, ts)));
      await own;
    }
    assert.equal(
      await heardOnA(),
      before,
      "A published positions that no other node hears (and heard them back)",
    );

    for (let i = 0; i < 300; i++, ts++) {
      // Leaving empties B's room, so B stops hearing it; subscribing hears it anew.
      dataOf(await ask(follower, "location:unsubscribe", { groupId }));
      dataOf(await ask(follower, "location:subscribe", { groupId }));
      const sentTs = ts;
      const heard = waitFor(follower, "location:update", { where: (p) => p.ts === sentTs });
      dataOf(await ask(rider, "location:update", fixAt(groupId, sentTs)));
      await heard.catch((err: Error) => {
        throw new Error(`iteration ${i}: ${err.message}`);
      });
    }

    // B leaves: A stops publishing (it heard its own positions back while B listened).
    dataOf(await ask(follower, "location:unsubscribe", { groupId }));
    const afterLeave = await heardOnA();
    for (const last = ts + 20; ts < last; ts++) {
      const sentTs = ts;
      const own = waitFor(rider, "location:update", { where: (p) => p.ts === sentTs });
      dataOf(await ask(rider, "location:update", fixAt(groupId, sentTs)));
      await own;
    }
    assert.equal(await heardOnA(), afterLeave, "A went on publishing after B left");
  });

  it("a node whose subscriptions are slow (held 50 ms on the way to Redis) answers a join only once it hears the room", async () => {
    const proxy = await startSlowSubscribeProxy(redis, 50);
    const slow = await startApp({ config: { redisUrl: proxy.url, jwtSecret }, limits });
    try {
      // A new group each time: the slow node has never heard its room.
      for (let i = 0; i < 20; i++) {
        const { group, members } = await nodes[0]!.groupWith(2);
        const sender = await nodes[0]!.connect("/chat", members[0]!.token);
        const listener = await slow.connect("/chat", members[1]!.token);
        const groupId = group.id;
        dataOf(await ask(listener, "room:join", { groupId }));
        const text = `slow join ${i}`;
        const heard = waitFor(listener, "message:new", { where: (m) => m.text === text });
        dataOf(await ask(sender, "message:send", { groupId, text, clientMsgId: `s${i}` }));
        await heard.catch((err: Error) => {
          throw new Error(`iteration ${i}: ${err.message}`);
        });
      }
    } finally {
      await slow.close();
      await proxy.close();
    }
  });

  it("with four nodes, each receives the messages of its own rooms, not every node's", async () => {
    // Group i has a member on node i (who sends) and one on node i+1 (who listens);
    // group i sends 5 × (i + 1) messages.
    const sent = [5, 10, 15, 20];
    const before = await Promise.all(
      nodes.map((node) => counter(node, "convoy_cross_node_messages_received_total", { namespace: "/chat" })),
    );
    const groups = await Promise.all(nodes.map((node) => node.groupWith(2)));
    const pairs = await Promise.all(
      groups.map(async ({ group, members }, i) => {
        const sender = await nodes[i]!.connect("/chat", members[0]!.token);
        const listener = await nodes[(i + 1) % 4]!.connect("/chat", members[1]!.token);
        dataOf(await ask(sender, "room:join", { groupId: group.id }));
        dataOf(await ask(listener, "room:join", { groupId: group.id }));
        return { groupId: group.id, sender, listener };
      }),
    );
    await Promise.all(
      pairs.map(async ({ groupId, sender, listener }, i) => {
        const last = `group ${i} message ${sent[i]! - 1}`;
        const heard = waitFor(listener, "message:new", { where: (m) => m.text === last });
        for (let n = 0; n < sent[i]!; n++) {
          const text = `group ${i} message ${n}`;
          dataOf(await ask(sender, "message:send", { groupId, text, clientMsgId: `g${i}-${n}` }));
        }
        await heard;
      }),
    );
    for (const [i, node] of nodes.entries()) {
      // Its own group's messages (heard back: dropped as own) and the previous node's group.
      const expected = sent[i]! + sent[(i + 3) % 4]!;
      const received = () =>
        counter(node, "convoy_cross_node_messages_received_total", { namespace: "/chat" }).then(
          (total) => total - before[i]!,
        );
      assert.equal(await settlesAt(received, expected), expected, `node ${i} received`);
      const own = await counter(node, "convoy_cross_node_messages_dropped_total", {
        namespace: "/chat",
        reason: "own",
      });
      assert.ok(own >= sent[i]!, `node ${i} heard its own ${sent[i]} back (${own})`);
    }
  });

  it("a broadcast to a room no socket of a node is in is not heard there: the drop count stays at 0", async () => {
    for (const node of nodes) {
      assert.equal(
        await counter(node, "convoy_cross_node_messages_dropped_total", { reason: "no-local-sockets" }),
        0,
      );
    }
  });
});
