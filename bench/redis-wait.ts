// npm run redis-wait -w bench: what confirming a chat message with a replica
// (WAIT 1, REDIS_CLUSTER_WAIT_REPLICAS=1, the default) costs on a Redis Cluster,
// through the real message store: wall time per append one at a time, and
// appends per second with many in flight, with and without WAIT (medians of
// alternating rounds). Needs a cluster with a replica per master:
// REDIS_CLUSTER_NODES=redis://host:port,...
import { randomUUID } from "node:crypto";
import { connectRedis, createLogger, createRedisStores } from "@convoy/server/testing";

const nodes = (process.env.REDIS_CLUSTER_NODES ?? "").split(",").filter(Boolean);
if (nodes.length === 0) throw new Error("set REDIS_CLUSTER_NODES (docs/scaling.md shows a local cluster)");
const SEQUENTIAL = 2000;
const CONCURRENT = 10_000;
const IN_FLIGHT = 64;
const GROUPS = 30;
const logger = createLogger("warn");

async function measure(waitReplicas: number) {
  const redis = await connectRedis({ clusterNodes: nodes, waitReplicas }, logger);
  const { messages } = createRedisStores(redis.store, {
    prefix: `bench-wait-${randomUUID()}:`,
    nodeId: "bench",
    messagesPerGroup: 1000,
    cluster: true,
    replication: redis.replication,
  });
  let n = 0;
  const append = () =>
    messages.append({
      groupId: `g${n % GROUPS}`,
      userId: "u",
      username: "rider",
      text: `message ${n} on the way to the pass`,
      clientMsgId: `c${n++}`,
      ts: Date.now(),
    });
  for (let i = 0; i < 200; i++) await append(); // warm up: scripts loaded, connections open
  let started = process.hrtime.bigint();
  for (let i = 0; i < SEQUENTIAL; i++) await append();
  const perAppendUs = Number(process.hrtime.bigint() - started) / 1000 / SEQUENTIAL;
  started = process.hrtime.bigint();
  let left = CONCURRENT;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (left-- > 0) await append();
    }),
  );
  const perSecond = CONCURRENT / (Number(process.hrtime.bigint() - started) / 1e9);
  await redis.close();
  return { perAppendUs, perSecond };
}

/** Rounds per setting, alternating, after one warm-up round of each (the process's first rounds pay for JIT). */
const ROUNDS = 4;
const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
const results = new Map<number, Array<{ perAppendUs: number; perSecond: number }>>([
  [0, []],
  [1, []],
]);
for (let round = -1; round < ROUNDS; round++) {
  for (const waitReplicas of [0, 1]) {
    const result = await measure(waitReplicas);
    if (round >= 0) results.get(waitReplicas)!.push(result);
  }
}
for (const [waitReplicas, rounds] of results) {
  console.log(
    `WAIT ${waitReplicas ? "1" : "off"}: median of ${ROUNDS} rounds: ` +
      `${median(rounds.map((r) => r.perAppendUs)).toFixed(0)} µs per append one at a time, ` +
      `${median(rounds.map((r) => r.perSecond)).toFixed(0)} appends/s with ${IN_FLIGHT} in flight ` +
      `(rounds: ${rounds.map((r) => `${r.perAppendUs.toFixed(0)} µs, ${r.perSecond.toFixed(0)}/s`).join("; ")})`,
  );
}
