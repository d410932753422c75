// Two nodes in one test process sharing a private Redis, then a private Redis
// Cluster: what one node does, the other's clients see. (Process-level faults
// are in cluster-process.test.ts; a cluster failover in redis-failover.test.ts.)
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Config } from "@convoy/server";
import { startApp, type TestApp } from "./support/app.ts";
import { startRedisCluster } from "./support/redis-cluster.ts";
import { startRedis } from "./support/redis-server.ts";
import { fixAt } from "./support/positions.ts";
import { ask } from "./support/sockets.ts";
import { collect, waitFor } from "./support/wait.ts";

/** Each backend: starts it, and answers the config that points a node at it, and how to stop it. */
const backends: Record<string, () => Promise<{ config: Partial<Config>; stop(): Promise<void> }>> = {
  Redis: async () => {
    const redis = await startRedis();
    return { config: { redisUrl: redis.url }, stop: () => redis.stop() };
  },
  "a Redis Cluster": async () => {
    const cluster = await startRedisCluster();
    return { config: { redisClusterNodes: cluster.nodes }, stop: () => cluster.stop() };
  },
};

for (const [backend, start] of Object.entries(backends)) describeTwoNodes(backend, start);

function describeTwoNodes(backend: string, start: (typeof backends)[string]): void {
  describe(`[3] two nodes sharing ${backend}`, () => {
    let stop: () => Promise<void>;
    let a: TestApp;
    let b: TestApp;
    before(async () => {
      const started = await start();
      stop = () => started.stop();
      const config = { ...started.config, jwtSecret: randomBytes(32).toString("hex") };
      a = await startApp({ config });
      b = await startApp({ config });
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await stop?.();
    });

    it("a user registered on A logs in on B, and B's token works on A", async () => {
      const member = await a.member();
      const chat = await b.connect("/chat", member.token);
      assert.ok(chat.connected);
      const groups = await a.http("GET", "/api/groups", undefined, member.token);
      assert.equal(groups.status, 200);
    });

    it("[§6] logout on A closes the session's sockets on B, and B refuses its token", async () => {
      const member = await a.member();
      const onB = await b.connect("/presence", member.token);
      const closed = waitFor(onB, "disconnect", { ms: 5000 });
      assert.equal((await a.http("POST", "/api/auth/logout", undefined, member.token)).status, 204);
      await closed;
      assert.equal((await b.http("GET", "/api/groups", undefined, member.token)).status, 401);
    });

    it("[3 /chat] a message sent on A reaches members on B, the sender's own socket too", async () => {
      const { group, members } = await a.groupWith(2);
      const onA = await a.connect("/chat", members[0]!.token);
      const onB = await b.connect("/chat", members[1]!.token);
      await ask(onA, "room:join", { groupId: group.id });
      await ask(onB, "room:join", { groupId: group.id });
      const seenOnB = waitFor(onB, "message:new");
      const seenOnA = waitFor(onA, "message:new");
      const res = await ask(onA, "message:send", {
        groupId: group.id,
        text: "across nodes",
        clientMsgId: "x1",
      });
      assert.ok(res.ok);
      assert.deepEqual(await seenOnB, res.data.message);
      assert.deepEqual(await seenOnA, res.data.message);
      // A retry through the other node is still the same message.
      const retry = await ask(await b.connect("/chat", members[0]!.token), "message:send", {
        groupId: group.id,
        text: "across nodes",
        clientMsgId: "x1",
      });
      assert.deepEqual(retry.ok && retry.data.message, res.data.message);
      const page = await ask(onB, "messages:since", {
        groupId: group.id,
        afterId: "0",
      });
      assert.deepEqual(page.ok && page.data.messages, [res.data.message]);
    });

    it("[3 /presence] a user online on A is online for B's subscribers; a second tab on B is no change", async () => {
      const { group, members } = await a.groupWith(2);
      const watcher = await b.connect("/presence", members[0]!.token);
      await ask(watcher, "presence:subscribe", { groupId: group.id });
      const bob = members[1]!;
      const online = waitFor(watcher, "presence:update", {
        where: (u) => u.userId === bob.user.id && u.status === "online",
      });
      const tabOnA = await a.connect("/presence", bob.token);
      await online;
      const tabOnB = await b.connect("/presence", bob.token);
      // A socket's presence changes apply in order: once this answers, B counts the tab
      // (else A's disconnect could find no other tab, and the watcher see offline, online, offline).
      await ask(tabOnB, "presence:set", { status: "online" });
      const offline = waitFor(watcher, "presence:update", {
        where: (u) => u.userId === bob.user.id,
      });
      tabOnA.disconnect();
      tabOnB.disconnect();
      assert.equal((await offline).status, "offline", "one update, when the last tab closed");
    });

    it("[3 /location] a rider on A moves on B's map; stopping on A removes it on B", async () => {
      const { group, members } = await a.groupWith(2);
      const rider = await a.connect("/location", members[0]!.token);
      const follower = await b.connect("/location", members[1]!.token);
      await ask(follower, "location:subscribe", { groupId: group.id });
      await ask(rider, "location:share", { groupId: group.id, sharing: true });
      const moved = waitFor(follower, "location:update");
      await ask(rider, "location:update", fixAt(group.id, 1_800_000_000_000));
      assert.equal((await moved).userId, members[0]!.user.id);
      const onMap = await ask(await b.connect("/location", members[1]!.token), "location:subscribe", {
        groupId: group.id,
      });
      assert.equal(onMap.ok && onMap.data.riders.length, 1);
      const stopped = waitFor(follower, "location:stopped");
      await ask(rider, "location:share", { groupId: group.id, sharing: false });
      assert.deepEqual(await stopped, { groupId: group.id, userId: members[0]!.user.id });
    });

    it("[3 /location] a node that starts hearing a group is sent what it missed: a first follower on B finds a rider who moved on A just before", async () => {
      const { group, members } = await a.groupWith(2);
      const rider = await a.connect("/location", members[0]!.token);
      await ask(rider, "location:share", { groupId: group.id, sharing: true });
      await ask(rider, "location:subscribe", { groupId: group.id });
      const handled = waitFor(rider, "location:update", { where: (p) => p.ts === 5 });
      await ask(rider, "location:update", fixAt(group.id, 5));
      await handled;
      // No one on B hears the group yet, and A has not written the position to Redis.
      const follower = await b.connect("/location", members[1]!.token);
      const sent = waitFor(follower, "location:update", { where: (p) => p.ts === 5 });
      const onMap = await ask(follower, "location:subscribe", { groupId: group.id });
      assert.ok(onMap.ok);
      if (!onMap.data.riders.some((p) => p.ts === 5)) await sent;
    });

    it("[3 /location] sharing stopped on A: B, which saw the rider share, stores and sends none of their later positions, and soon refuses them", async () => {
      const { group, members } = await a.groupWith(2);
      const onB = await b.connect("/location", members[0]!.token);
      const otherDevice = await a.connect("/location", members[0]!.token);
      const follower = await b.connect("/location", members[1]!.token);
      await ask(follower, "location:subscribe", { groupId: group.id });
      await ask(onB, "location:share", { groupId: group.id, sharing: true });
      const moved = waitFor(follower, "location:update");
      assert.equal((await ask(onB, "location:update", fixAt(group.id, 1))).ok, true);
      await moved;

      const stopped = waitFor(follower, "location:stopped");
      await ask(otherDevice, "location:share", { groupId: group.id, sharing: false });
      await stopped;
      const late = collect(follower, "location:update");
      // B learns of the stop from the store's refusal of the first late position
      // (or on its own read): bounded polling, as the refusal comes after the ack.
      let refused = false;
      for (let ts = 2; ts < 40 && !refused; ts++) {
        const res = await ask(onB, "location:update", fixAt(group.id, ts));
        refused = !res.ok && res.error.code === "FORBIDDEN";
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      late.stop();
      assert.ok(refused, "B went on accepting positions after sharing stopped");
      assert.deepEqual(late.seen, []);
      const res = await ask(follower, "location:subscribe", { groupId: group.id });
      assert.deepEqual(res.ok && res.data.riders, []);
    });

    it("/readyz answers 200 while Redis is reachable", async () => {
      assert.equal((await a.http("GET", "/readyz")).status, 200);
    });
  });
}
