// ride traffic: R riders in groups of 10, each sending its position at 1 Hz to
// its group; every member subscribes to the group's positions. Then the same
// ride with one more subscriber, of every group, that stops reading: server
// memory must stay bounded and the other riders keep their latency.
import { memberOfAll, populate } from "../lib/population.ts";
import { sourceAddress, type Fleet } from "../load/fleet.ts";
import type { Reply } from "../load/protocol.ts";
import type { Target } from "../targets/targets.ts";
import { connectClients, drain, sleep, withFleet, type RunResult } from "./run-context.ts";

export const GROUP_SIZE = 10;
const WARMUP_SECONDS = 3;
const RSS_SAMPLE_MS = 1000;

/** One measured ride: positions sent, and the peak server RSS while it ran. */
async function ride(fleet: Fleet, target: Target, seconds: number) {
  await fleet.all({ cmd: "reset" });
  const before = target.usage();
  let peakRssKb = before.rssKb;
  const sampler = setInterval(() => (peakRssKb = Math.max(peakRssKb, target.usage().rssKb)), RSS_SAMPLE_MS);
  try {
    const replies = await fleet.all<Extract<Reply, { cmd: "ride" }>>({ cmd: "ride", seconds, hz: 1 });
    const sent = replies.reduce((sum, r) => sum + r.sent, 0);
    // Every position goes to each of the group's members, the rider included.
    const expected = sent * GROUP_SIZE;
    const merged = await drain(fleet, expected, 10_000);
    const after = target.usage();
    return { sent, expected, merged, before, after, peakRssKb: Math.max(peakRssKb, after.rssKb) };
  } finally {
    clearInterval(sampler);
  }
}

export async function rideScenario(
  target: Target,
  size: number,
  loadScript: string,
  options: { seconds: number; stallSeconds: number },
): Promise<RunResult> {
  const tag = `r${size}`;
  const population = await populate(target, size, GROUP_SIZE, { riders: true, tag });
  const watcher = await memberOfAll(target, population, `${tag}_stalled`);
  return withFleet(loadScript, size, async (fleet) => {
    const connected = await connectClients(fleet, target, population.clients, ["/location"]);
    if (connected.failed > 0) throw new Error(`ride: ${connected.failed} clients failed to connect`);
    await fleet.all({ cmd: "ride", seconds: WARMUP_SECONDS, hz: 1 });
    await sleep(1000);

    const free = await ride(fleet, target, options.seconds);

    await fleet.one(0, { cmd: "stall", url: target.url, ...watcher, localAddress: sourceAddress(0) });
    const stalled = await ride(fleet, target, options.stallSeconds);
    const backlog = await fleet.one<Extract<Reply, { cmd: "unstall" }>>(0, { cmd: "unstall" });

    return {
      scenario: "ride",
      size,
      target: target.kind,
      metrics: {
        positionsSent: free.sent,
        deliveries: free.merged.deliveries,
        deliveredShare: free.merged.deliveries / free.expected,
        deliveredPerSecond: free.merged.deliveries / options.seconds,
        latencyP50Ms: free.merged.latency.getValueAtPercentile(50) / 1000,
        latencyP99Ms: free.merged.latency.getValueAtPercentile(99) / 1000,
        serverCpuUsPerDelivery: ((free.after.cpuMs - free.before.cpuMs) * 1000) / free.merged.deliveries,
        serverRssMb: free.after.rssKb / 1024,
        loadCpuMs: free.merged.loadCpuMs,
        stalledSubscriberGroups: watcher.groupIds.length,
        stalledDeliveredShare: stalled.merged.deliveries / stalled.expected,
        stalledLatencyP99Ms: stalled.merged.latency.getValueAtPercentile(99) / 1000,
        stalledSeconds: options.stallSeconds,
        stalledBacklogMb: backlog.backlogBytes / 2 ** 20,
        stalledCut: backlog.closed ? 1 : 0,
        stalledRssGrowthMb: (stalled.peakRssKb - stalled.before.rssKb) / 1024,
      },
    };
  });
}
