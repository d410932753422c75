// Durable writes on a Redis Cluster: a message is acknowledged only once a
// replica has it (WAIT), and a master killed (SIGKILL) in the middle of chat
// traffic between two nodes loses none of them: its replica takes over and the
// nodes find it by themselves (docs/scaling.md says what else a failover may lose).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { ChatMessage } from "@convoy/shared";
import { startApp, type TestApp } from "./support/app.ts";
import { startRedisCluster, type TestRedisCluster } from "./support/redis-cluster.ts";
import { ask, dataOf } from "./support/sockets.ts";
import { collect, waitFor } from "./support/wait.ts";

/** How long the nodes may take to serve again once the master is gone (failover is ~2 s here). */
const RECOVERY_MS = 20_000;
/** Acknowledged sends wanted before the kill, and again after it. */
const SENDS_EACH_SIDE = 20;

describe("[§5] durable writes on a Redis Cluster", () => {
  let cluster: TestRedisCluster;
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    cluster = await startRedisCluster();
    const config = { redisClusterNodes: cluster.nodes, jwtSecret: randomBytes(32).toString("hex") };
    a = await startApp({ config });
    b = await startApp({ config });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await cluster?.stop();
  });

  /**
   * A group whose keys live on the master that also carries the group's /chat
   * channel (the adapter's channel names contain the group id), with a member
   * in its room on each node: the kill hits its messages and their broadcasts.
   */
  async function groupOnOneShard() {
    for (let attempt = 0; attempt < 30; attempt++) {
      const { group, members } = await a.groupWith(2);
      const alice = await a.connect("/chat", members[0]!.token);
      const bob = await b.connect("/chat", members[1]!.token);
      await ask(alice, "room:join", { groupId: group.id });
      await ask(bob, "room:join", { groupId: group.id });
      const master = await cluster.masterOf(await cluster.slotOf(`{g:${group.id}}`));
      const channels = (await cluster.command(master, ["PUBSUB", "SHARDCHANNELS"])) as string[];
      if (channels.some((channel) => channel.includes("/chat") && channel.includes(group.id))) {
        return { group, alice, bob, master };
      }
      alice.disconnect();
      bob.disconnect();
    }
    throw new Error("no group's keys and /chat channel landed on one master in 30 tries");
  }

  it("a message its replica does not confirm within a second is answered INTERNAL; a retry finds it stored", async () => {
    const { group, members } = await a.groupWith(2);
    const alice = await a.connect("/chat", members[0]!.token);
    await ask(alice, "room:join", { groupId: group.id });
    const replica = await cluster.replicaOf(await cluster.masterOf(await cluster.slotOf(`{g:${group.id}}`)));
    const send = () =>
      ask(alice, "message:send", { groupId: group.id, text: "unconfirmed", clientMsgId: "u1" });
    cluster.pause(replica);
    let refused;
    try {
      refused = await send();
    } finally {
      cluster.resume(replica);
    }
    assert.equal(refused.ok ? "ok" : refused.error.code, "INTERNAL");
    const retried = dataOf(await send()).message;
    const page = dataOf(await ask(alice, "messages:since", { groupId: group.id, afterId: "0" }));
    assert.deepEqual(page.messages, [retried], "stored once, by the first try");
  });

  it("a master killed under chat traffic: the nodes recover by themselves; every acknowledged message is still there, in order", async (t) => {
    const { group, alice, bob, master } = await groupOnOneShard();
    const seenByBob = collect(bob, "message:new");

    const acked: ChatMessage[] = [];
    let failed = 0;
    let ackedSinceKill = -1;
    let sent = 0;
    let killedAt = 0;
    const deadline = Date.now() + RECOVERY_MS;
    while (ackedSinceKill < SENDS_EACH_SIDE) {
      assert.ok(Date.now() < deadline, `only ${ackedSinceKill} sends acknowledged since the kill`);
      const res = await ask(alice, "message:send", {
        groupId: group.id,
        text: `m${++sent}`,
        clientMsgId: `c${sent}`,
      });
      if (res.ok) {
        acked.push(res.data.message);
        if (ackedSinceKill === 0)
          t.diagnostic(`first send acknowledged ${Date.now() - killedAt} ms after the kill`);
        if (ackedSinceKill >= 0) ackedSinceKill++;
      } else {
        failed++;
        // Traffic, not a wait: a failing send answers at once, and the loop would spin.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (ackedSinceKill < 0 && acked.length === SENDS_EACH_SIDE) {
        killedAt = Date.now();
        await cluster.kill(master);
        ackedSinceKill = 0;
      }
    }
    await cluster.failedOver(master);
    assert.ok(failed > 0, "some sends failed while the master was gone");
    t.diagnostic(`${failed} sends refused (INTERNAL) while the master was gone`);

    // Broadcasts cross nodes again: the Pub/Sub channels moved to the new master.
    const last = dataOf(
      await ask(alice, "message:send", { groupId: group.id, text: "after", clientMsgId: "after" }),
    ).message;
    acked.push(last);
    await waitFor(bob, "message:new", { where: (m) => m.id === last.id, ms: 5000 });
    seenByBob.stop();
    assert.ok(seenByBob.seen.length > SENDS_EACH_SIDE, "bob heard the messages before and after");

    // Every acknowledged message, from either node, with its id and order.
    const stored: ChatMessage[] = [];
    for (let afterId = "0", more = true; more;) {
      const page = dataOf(await ask(bob, "messages:since", { groupId: group.id, afterId }));
      stored.push(...page.messages);
      more = page.hasMore;
      afterId = page.messages.at(-1)?.id ?? afterId;
    }
    const byId = new Map(stored.map((m) => [m.id, m]));
    for (const message of acked) assert.deepEqual(byId.get(message.id), message, `lost: ${message.text}`);
    const ids = stored.map((m) => m.id);
    assert.deepEqual(ids, [...new Set(ids)].sort(), "ids unique and in order");

    for (const node of [a, b]) assert.equal((await node.http("GET", "/readyz")).status, 200);
  });
});
