// One store contract, run unchanged against the embedded stores (SQLite, here in
// memory; presence and positions in process memory) and a real Redis.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  createEmbeddedStores,
  createRedisStores,
  describeStores,
  openDatabase,
} from "@convoy/server/testing";
import { createClient } from "redis";
import { startRedis, type TestRedis } from "./support/redis-server.ts";

describeStores("sqlite", async () =>
  createEmbeddedStores(openDatabase(":memory:"), { messagesPerGroup: 1000 }),
);

let redis: TestRedis;
before(async () => (redis = await startRedis()));
after(() => redis.stop());

let run = 0;
describeStores("redis", async () => {
  const client = createClient({ url: redis.url });
  await client.connect();
  // A fresh key prefix per case keeps cases apart on the shared server.
  const stores = createRedisStores(client, {
    prefix: `t${++run}:`,
    nodeId: "node-a",
    messagesPerGroup: 1000,
  });
  return { ...stores, close: () => client.close() };
});

describe("redis presence across nodes", () => {
  it("[3 /presence] connections of a node whose heartbeat stops are detached once, by a surviving node", async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const prefix = `nodes${++run}:`;
      const a = createRedisStores(client, { prefix, nodeId: "node-a", messagesPerGroup: 10 }).presence;
      const b = createRedisStores(client, { prefix, nodeId: "node-b", messagesPerGroup: 10 }).presence;
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
