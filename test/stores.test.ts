// One store contract, run unchanged against the embedded stores (SQLite, here in
// memory; presence and positions in process memory), a real Redis and a real
// Redis Cluster (three masters, three replicas: keys with hash tags, every
// script and MULTI in one slot).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  bareIds,
  createEmbeddedStores,
  createRedisLocationStore,
  createRedisStores,
  describeStores,
  hashTags,
  openDatabase,
  positionNotices,
} from "@convoy/server/testing";
import type { Position } from "@convoy/shared";
import { createClient, createCluster } from "redis";
import { startRedisCluster, type TestRedisCluster } from "./support/redis-cluster.ts";
import { startRedis, type TestRedis } from "./support/redis-server.ts";
import { until } from "./support/wait.ts";

describeStores("sqlite", async () =>
  createEmbeddedStores(openDatabase(":memory:"), { messagesPerGroup: 1000 }),
);

let redis: TestRedis;
let cluster: TestRedisCluster;
before(async () => {
  [redis, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
});
after(() => Promise.all([redis.stop(), cluster.stop()]));

/** A connected client of each kind, and whether its keys need hash tags. */
const backends = {
  redis: async () => ({ client: await createClient({ url: redis.url }).connect(), cluster: false }),
  "redis cluster": async () => ({
    client: await createCluster({ rootNodes: cluster.nodes.map((url) => ({ url })) }).connect(),
    cluster: true,
  }),
};

let run = 0;
for (const [backend, connect] of Object.entries(backends)) {
  describeStores(backend, async () => {
    const { client, cluster: hashTags } = await connect();
    // A fresh key prefix per case keeps cases apart on the shared server.
    const stores = createRedisStores(client, {
      prefix: `t${++run}:`,
      nodeId: "node-a",
      messagesPerGroup: 1000,
      cluster: hashTags,
    });
    return { ...stores, close: () => client.close() };
  });

  describe(`${backend} presence across nodes`, () => {
    it("[3 /presence] connections of a node whose heartbeat stops are detached once, by a surviving node", async () => {
      const { client, cluster: hashTags } = await connect();
      try {
        const prefix = `nodes${++run}:`;
        const options = { prefix, messagesPerGroup: 10, cluster: hashTags };
        const a = createRedisStores(client, { ...options, nodeId: "node-a" }).presence;
        const b = createRedisStores(client, { ...options, nodeId: "node-b" }).presence;
        assert.equal(await a.heartbeat(1_000), true, "first beat registers");
        assert.equal(await a.heartbeat(2_000), false);
        await b.heartbeat(2_000);
        await a.attach("u1", "s1");
        await b.attach("u1", "s2");
        await a.attach("u2", "s3");
        // node-a stops beating; at 40 s it has been silent for 38 s.
        await b.heartbeat(40_000);
        const reaped = await b.reapDeadNodes(40_000, 30_000);
        assert.deepEqual(
          reaped.sort((x, y) => x.userId.localeCompare(y.userId)),
          [
            { userId: "u1", change: { before: "online", after: { status: "online", lastSeen: null } } },
            { userId: "u2", change: { before: "online", after: { status: "offline", lastSeen: 40_000 } } },
          ],
        );
        assert.deepEqual(await b.reapDeadNodes(41_000, 30_000), [], "reaped once");
        assert.equal(await a.heartbeat(42_000), true, "a node taken for dead learns it on its next beat");
      } finally {
        await client.close();
      }
    });
  });

  describe(`${backend} positions across nodes`, () => {
    const leaseMs = 1000;
    /** A node's location store, with its own connections (one for the notices it hears). */
    // Flushes only when asked (expire(0) writes first): what the notices do is not covered up by a flush.
    const node = async (nodeId: string, prefix: string, windowMs = 0) => {
      const [one, two] = await Promise.all([connect(), connect()]);
      const keys = { prefix, tag: one.cluster ? hashTags : bareIds };
      const notices = positionNotices({ pub: one.client, sub: two.client }, `${keys.prefix}position-notices`);
      const store = createRedisLocationStore(one.client, keys, {
        nodeId,
        windowMs,
        flushMs: 60_000,
        leaseMs,
        notices,
      });
      return {
        store,
        /** The process dies: its connections drop, its timers find no Redis. */
        destroy() {
          for (const { client } of [one, two]) client.destroy();
        },
        async close() {
          await store.close();
          for (const { client } of [one, two]) if (client.isOpen) await client.close();
        },
      };
    };
    const position = (userId: string, ts: number): Position => ({
      groupId: "g",
      userId,
      username: userId,
      lat: 46.5,
      lng: 8.5,
      accuracy: null,
      heading: null,
      speed: null,
      ts,
    });

    it("[3 /location] positions are written behind: a node that starts hearing a group is told and sent what it missed, a stop made elsewhere refuses the rider's next position, and a node gone silent stops counting when its lease runs out", async () => {
      const prefix = `listen${++run}:`;
      const [a, b] = await Promise.all([node("node-a", prefix), node("node-b", prefix)]);
      const heardAnew: Array<[string, Position[]]> = [];
      a.store.onHeardAnew((groupId, latest) => heardAnew.push([groupId, latest]));
      try {
        await Promise.all([a.store.ready, b.store.ready]);
        await a.store.setSharing("g", "u", true);
        await a.store.setSharing("g", "v", true);
        let ts = 0;
        const recordOnA = () => a.store.record(position("u", ++ts), ts);
        assert.equal(await recordOnA(), "kept", "no node listens");
        await a.store.listen("g");
        assert.equal(await recordOnA(), "kept", "only this node listens");
        assert.deepEqual(heardAnew, [], "a node is not told of itself");

        await b.store.listen("g");
        await until("a is told that b listens", () => heardAnew.length > 0);
        assert.deepEqual(heardAnew, [["g", [position("u", ts)]]], "b gets the latest it may have missed");
        assert.equal(await recordOnA(), "kept-heard-elsewhere");
        assert.equal(await b.store.record(position("v", ++ts), ts), "kept-heard-elsewhere", "a hears it too");
        assert.equal(await a.store.record(position("u", ts - 2), ts), "refused", "older: refused");
        const newestOfU = ts - 1;
        const onB = async () => (await b.store.riders("g")).find((p) => p.userId === "u")?.ts;
        assert.equal(await onB(), undefined, "not in Redis before a's flush");
        await a.store.expire(0);
        assert.equal(await onB(), newestOfU, "written behind");

        // b's lease is renewed while it listens: past two leases, it still counts.
        await new Promise((resolve) => setTimeout(resolve, 2 * leaseMs));
        assert.equal(await recordOnA(), "kept-heard-elsewhere", "renewed");
        await b.store.unlisten("g");
        await until("b said it no longer listens", async () => (await recordOnA()) === "kept");

        // Sharing stopped on b: a refuses the rider's next positions and forgets the last.
        await b.store.setSharing("g", "u", false);
        await until("a hears of the stop", async () => (await recordOnA()) === "refused");
        await b.store.expire(0); // b writes v's position
        assert.deepEqual(
          (await a.store.riders("g")).map((p) => p.userId),
          ["v"],
          "the stopped rider is gone from a's riders",
        );
        await b.store.setSharing("g", "u", true);
        assert.equal(await recordOnA(), "kept", "sharing again: a asks Redis, and keeps it");

        // b listens again, then its process dies: no word, no renewal.
        await b.store.listen("g");
        await until("a is told again", async () => (await recordOnA()) === "kept-heard-elsewhere");
        b.destroy();
        // Only a flush reads the leases again: no word came.
        await until(
          "b's lease ran out",
          async () => {
            await a.store.expire(0);
            return (await recordOnA()) === "kept";
          },
          10 * leaseMs,
        );
      } finally {
        await Promise.allSettled([a.close(), b.close()]);
      }
    });

    it("[3 /location] a position waiting to go out when sharing stops is refused; closing writes what is not in Redis yet", async () => {
      const prefix = `stop${++run}:`;
      const [a, b] = await Promise.all([node("node-a", prefix, 50), node("node-b", prefix)]);
      try {
        await Promise.all([a.store.ready, b.store.ready]);
        await a.store.setSharing("g", "u", true);
        assert.equal(await a.store.record(position("u", 1), 1), "kept");
        const waiting = a.store.record(position("u", 2), 2);
        await b.store.setSharing("g", "u", false);
        await until("a hears of the stop", async () => (await a.store.riders("g")).length === 0);
        assert.equal(await waiting, "refused", "it would go out after the stop");

        await a.store.setSharing("g", "u", true);
        assert.equal(await a.store.record(position("u", 3), 3), "kept");
        assert.deepEqual(await b.store.riders("g"), [], "a's flush is a minute away");
        await a.close();
        assert.deepEqual(await b.store.riders("g"), [position("u", 3)], "written on close");
      } finally {
        await Promise.allSettled([a.close(), b.close()]);
      }
    });
  });
}
