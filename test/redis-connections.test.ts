// Clustered mode's Redis connections (server/src/redis.ts) on a Redis Cluster:
// what the client does not do right by itself there.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectRedis, createLogger } from "@convoy/server/testing";
import { startRedisCluster, type TestRedisCluster } from "./support/redis-cluster.ts";

describe("Redis Cluster connections", () => {
  let cluster: TestRedisCluster;
  let redis: Awaited<ReturnType<typeof connectRedis>>;
  before(async () => {
    cluster = await startRedisCluster();
    redis = await connectRedis({ clusterNodes: cluster.nodes, waitReplicas: 1 }, createLogger("silent"));
  });
  after(async () => {
    await redis?.close();
    await cluster?.stop();
  });

  it("counts a channel's subscribers on the shard that serves it (each shard counts only its own)", async () => {
    // Channels on every shard: with one master asked for all, most would count 0.
    const channels = Array.from({ length: 12 }, (_, i) => `convoy#/chat#room-${i}#`);
    const masters = new Set(
      await Promise.all(channels.map(async (c) => cluster.masterOf(await cluster.slotOf(c)))),
    );
    assert.equal(masters.size, 3, "the channels spread over the three masters");
    for (const channel of channels) await redis.sub.sSubscribe(channel, () => {});
    const counts = await redis.pub.pubSubShardNumSub(channels);
    assert.deepEqual({ ...counts }, Object.fromEntries(channels.map((c) => [c, 1])));
  });
});
