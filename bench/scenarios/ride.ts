// ride traffic: R riders in groups of 10, each sending its position at 1 Hz to
// its group; every member subscribes to the group's positions.
import { populate } from "../lib/population.ts";
import type { Reply } from "../load/protocol.ts";
import type { Target } from "../targets/targets.ts";
import { connectClients, drain, sleep, withFleet, type RunResult } from "./run-context.ts";

export const GROUP_SIZE = 10;
const WARMUP_SECONDS = 3;

export async function rideScenario(
  target: Target,
  size: number,
  loadScript: string,
  options: { seconds: number },
): Promise<RunResult> {
  const specs = await populate(target, size, GROUP_SIZE, { riders: true, tag: `r${size}` });
  return withFleet(loadScript, size, async (fleet) => {
    const connected = await connectClients(fleet, target, specs, ["/location"]);
    if (connected.failed > 0) throw new Error(`ride: ${connected.failed} clients failed to connect`);
    await fleet.all({ cmd: "ride", seconds: WARMUP_SECONDS, hz: 1 });
    await sleep(1000);

    await fleet.all({ cmd: "reset" });
    const before = target.usage();
    const replies = await fleet.all<Extract<Reply, { cmd: "ride" }>>({
      cmd: "ride",
      seconds: options.seconds,
      hz: 1,
    });
    const sent = replies.reduce((sum, r) => sum + r.sent, 0);
    // Every position goes to each of the group's members, the rider included.
    const expected = sent * GROUP_SIZE;
    const merged = await drain(fleet, expected, 10_000);
    const after = target.usage();
    return {
      scenario: "ride",
      size,
      target: target.kind,
      metrics: {
        positionsSent: sent,
        deliveries: merged.deliveries,
        deliveredShare: merged.deliveries / expected,
        deliveredPerSecond: merged.deliveries / options.seconds,
        latencyP50Ms: merged.latency.getValueAtPercentile(50) / 1000,
        latencyP99Ms: merged.latency.getValueAtPercentile(99) / 1000,
        serverCpuUsPerDelivery: ((after.cpuMs - before.cpuMs) * 1000) / merged.deliveries,
        serverRssMb: after.rssKb / 1024,
        loadCpuMs: merged.loadCpuMs,
      },
    };
  });
}
