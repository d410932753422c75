// npm run redis-record -w bench: what recording riders' positions costs Redis
// and the calling Node process, through the real location store, for each
// period of writing them behind (the store's flushMs): one cluster worker's
// share of the ride bench, 1,000 riders in groups of 10 at 1 Hz, a position
// every millisecond. Periods take turns, round after round; each figure is the
// median of its rounds, and each round ends by writing what is left. Redis's
// CPU is its own (INFO cpu); the Node figure includes this driver's, the same
// for every period, so compare it across periods only.
//
//   REDIS_URL=redis://127.0.0.1:6379 npm run redis-record -w bench [-- --flushes 100,500,2000 --rounds 3]
//
// Writes keys under a fresh prefix and deletes them.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import type { Position } from "@convoy/shared";
import { connectRedis, createLogger, createRedisStores } from "@convoy/server/testing";
import { createClient } from "redis";

const { values } = parseArgs({
  options: {
    flushes: { type: "string", default: "100,500,2000" },
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "8" },
  },
});
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const RIDERS = 1000;
const GROUP_SIZE = 10;

const redis = await connectRedis({ url }, createLogger("warn"));
const admin = await createClient({ url }).connect();
const prefix = `bench-record-${randomUUID()}:`;
const storeWith = (flushMs: number) =>
  createRedisStores(redis.store, {
    prefix,
    nodeId: "bench",
    messagesPerGroup: 10,
    positionFlushMs: flushMs,
  });
const riders = Array.from({ length: RIDERS }, (_, i) => ({
  groupId: `g${Math.floor(i / GROUP_SIZE)}`,
  userId: `u${i}`,
}));
const setup = storeWith(100).locations;
for (const { groupId, userId } of riders) await setup.setSharing(groupId, userId, true);

/** Redis's own CPU so far, in µs (its user and system time). */
async function redisCpuUs() {
  const info = await admin.info("cpu");
  const seconds = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)![1]);
  return (seconds("used_cpu_user") + seconds("used_cpu_sys")) * 1e6;
}

let sent = 0;
/** A position a millisecond, each rider in turn: every rider once a second. */
async function ride(locations: typeof setup, seconds: number) {
  const recorded: Array<Promise<unknown>> = [];
  const started = Date.now();
  for (let tick = 0; tick < seconds * 1000; tick++, sent++) {
    const { groupId, userId } = riders[sent % RIDERS]!;
    const ts = Date.now();
    const position: Position = {
      groupId,
      userId,
      username: userId,
      lat: 59.3 + sent * 1e-6,
      lng: 18.07,
      accuracy: 5,
      heading: 180,
      speed: 12.5,
      ts,
    };
    recorded.push(locations.record(position, ts));
    const next = started + tick + 1;
    if (next > Date.now()) await sleep(next - Date.now());
  }
  const outcomes = await Promise.all(recorded);
  if (outcomes.some((outcome) => outcome === "refused")) throw new Error("a position was refused");
  return recorded.length;
}

const flushes = values.flushes.split(",").map(Number);
const perPosition = new Map(
  flushes.map((flushMs) => [flushMs, { redis: [] as number[], node: [] as number[] }]),
);
// Each period's store once, warmed: scripts loaded, arrivals written, each rider's sharing read.
const stores = new Map(flushes.map((flushMs) => [flushMs, storeWith(flushMs)]));
for (const { locations } of stores.values()) await ride(locations, 2);
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [flushMs, { locations }] of stores) {
    const redisBefore = await redisCpuUs();
    const nodeBefore = process.cpuUsage();
    const positions = await ride(locations, Number(values.seconds));
    await locations.expire(0); // writes what is left (and finds no one stale)
    const node = process.cpuUsage(nodeBefore);
    const figures = perPosition.get(flushMs)!;
    figures.redis.push(((await redisCpuUs()) - redisBefore) / positions);
    figures.node.push((node.user + node.system) / positions);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [flushMs, { redis: inRedis, node }] of perPosition)
  console.log(
    `written every ${flushMs} ms: Redis ${median(inRedis).toFixed(1)} µs of CPU per position ` +
      `(rounds: ${inRedis.map((x) => x.toFixed(1)).join(", ")}), this Node process ${median(node).toFixed(1)} µs`,
  );

for (const { groupId, userId } of riders) await setup.setSharing(groupId, userId, false);
await Promise.all([...stores.values()].map((stores) => stores.close()));
await redis.close();
admin.destroy();
