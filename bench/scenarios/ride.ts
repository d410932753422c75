// ride traffic: R riders in groups of 10, each sending its position at 1 Hz to
// its group; every member subscribes to the group's positions. Then the same
// ride with one more subscriber, of every group, that stops reading: server
// memory must stay bounded and the other riders keep their latency.
import { latencyHistogram } from "../lib/histogram.ts";
import { percentile } from "../lib/merge.ts";
import { memberOfAll, populate } from "../lib/population.ts";
import { sourceAddresses, type Fleet } from "../load/fleet.ts";
import type { Reply } from "../load/protocol.ts";
import type { Target } from "../targets/targets.ts";
import { connectClients, measure, sleep, withFleet, type RunResult } from "./run-context.ts";

export const GROUP_SIZE = 10;
export const WARMUP_SECONDS = 3;
const RSS_SAMPLE_MS = 1000;
/**
 * The measured ride is repeated, and its p99 reported as the median of the
 * rides and the worst one: on a 2-core box shared with the load processes,
 * one ride's tail swings by several times from run to run.
 */
const RIDES = 3;

/** Every position goes to each of the group's members, the rider included. */
const deliveriesOf = (positionsSent: number) => positionsSent * GROUP_SIZE;

/** One measured ride: positions sent, and the peak server RSS while it ran. */
export async function ride(fleet: Fleet, target: Target, seconds: number) {
  let peakRssKb = target.usage().rssKb;
  const sampler = setInterval(() => (peakRssKb = Math.max(peakRssKb, target.usage().rssKb)), RSS_SAMPLE_MS);
  try {
    const {
      acted: sent,
      merged,
      before,
      after,
      steal,
    } = await measure(
      fleet,
      target,
      async () => {
        const replies = await fleet.all<Extract<Reply, { cmd: "ride" }>>({ cmd: "ride", seconds, hz: 1 });
        return replies.reduce((sum, r) => sum + r.sent, 0);
      },
      deliveriesOf,
      10_000,
    );
    return {
      sent,
      expected: deliveriesOf(sent),
      merged,
      before,
      after,
      steal,
      peakRssKb: Math.max(peakRssKb, after.rssKb),
    };
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

    const rides: Awaited<ReturnType<typeof ride>>[] = [];
    for (let i = 0; i < RIDES; i++) rides.push(await ride(fleet, target, options.seconds));
    const sum = (figure: (r: (typeof rides)[number]) => number) => rides.reduce((a, r) => a + figure(r), 0);
    const latency = latencyHistogram();
    for (const r of rides) latency.add(r.merged.latency);
    const p99s = rides.map((r) => r.merged.latency.getValueAtPercentile(99) / 1000);
    const deliveries = sum((r) => r.merged.deliveries);

    await fleet.one(0, { cmd: "stall", url: target.url, ...watcher, localAddress: sourceAddresses(0)[0]! });
    const stalled = await ride(fleet, target, options.stallSeconds);
    const backlog = await fleet.one<Extract<Reply, { cmd: "unstall" }>>(0, { cmd: "unstall" });

    return {
      scenario: "ride",
      size,
      target: target.kind,
      metrics: {
        positionsSent: sum((r) => r.sent),
        deliveries,
        deliveredShare: deliveries / sum((r) => r.expected),
        deliveredPerSecond: deliveries / (RIDES * options.seconds),
        latencyP50Ms: latency.getValueAtPercentile(50) / 1000,
        latencyP99MedianMs: percentile(p99s, 50),
        latencyP99WorstMs: Math.max(...p99s),
        serverCpuUsPerDelivery: (sum((r) => r.after.cpuMs - r.before.cpuMs) * 1000) / deliveries,
        serverKernelCpuUsPerDelivery:
          (sum((r) => r.after.kernelCpuMs - r.before.kernelCpuMs) * 1000) / deliveries,
        serverRssMb: rides.at(-1)!.after.rssKb / 1024,
        loadCpuMs: sum((r) => r.merged.loadCpuMs),
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
