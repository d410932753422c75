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
} from "@convoy/server/testing";
import { createClient, createCluster } from "redis";
import { startRedisCluster, type TestRedisCluster } from "./support/redis-cluster.ts";
import { startRedis, type TestRedis } from "./support/redis-server.ts";

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
    const position = (userId: string, ts: number) => ({
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

    it("[3 /location] a position is for other nodes only while another node hears the group; a node gone silent stops counting when its lease runs out", async () => {
      const [one, two] = await Promise.all([connect(), connect()]);
      const keys = { prefix: `listen${++run}:`, tag: one.cluster ? hashTags : bareIds };
      const leaseMs = 1000;
      const a = createRedisLocationStore(one.client, keys, { nodeId: "node-a", windowMs: 0, leaseMs });
      const b = createRedisLocationStore(two.client, keys, { nodeId: "node-b", windowMs: 0, leaseMs });
      try {
        await a.setSharing("g", "u", true);
        await a.setSharing("g", "v", true);
        let ts = 0;
        assert.equal(await a.record(position("u", ++ts), ts), "kept", "no node listens");
        await a.listen("g");
        assert.equal(await a.record(position("u", ++ts), ts), "kept", "only this node listens");
        await b.listen("g");
        assert.equal(await a.record(position("u", ++ts), ts), "kept-heard-elsewhere");
        assert.equal(await b.record(position("v", ++ts), ts), "kept-heard-elsewhere", "a hears it too");
        assert.equal(await a.record(position("u", ts - 2), ts), "refused", "older: refused");
        // b's lease is renewed while it listens: past two leases, it still counts.
        await new Promise((resolve) => setTimeout(resolve, 2 * leaseMs));
        assert.equal(await a.record(position("u", ++ts), ts), "kept-heard-elsewhere", "renewed");
        await b.unlisten("g");
        assert.equal(await a.record(position("u", ++ts), ts), "kept", "b said it no longer listens");
        // b listens again, then its process dies: no word, no renewal.
        await b.listen("g");
        assert.equal(await a.record(position("u", ++ts), ts), "kept-heard-elsewhere");
        two.client.destroy();
        const deadline = Date.now() + 10 * leaseMs;
        let outcome = await a.record(position("u", ++ts), ts);
        while (outcome !== "kept" && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, leaseMs / 10));
          outcome = await a.record(position("u", ++ts), ts);
        }
        assert.equal(outcome, "kept", "b's lease ran out");
      } finally {
        await Promise.allSettled([a.close(), b.close()]);
        await one.client.close();
        if (two.client.isOpen) await two.client.close();
      }
    });
  });
}
