// ride traffic on several servers at once, taking turns: every server is up,
// its riders connected, and they ride one server at a time, round after round,
// in a rotating order. On a host whose speed drifts by up to a quarter from
// minute to minute, one server's figure from its own few minutes cannot be compared
// with another's from theirs; turns spread the drift over all of them, and
// each figure is the median of its turns.
import { latencyHistogram } from "../lib/histogram.ts";
import { percentile } from "../lib/merge.ts";
import { populate } from "../lib/population.ts";
import { startFleet, type Fleet } from "../load/fleet.ts";
import type { Target } from "../targets/targets.ts";
import { GROUP_SIZE, WARMUP_SECONDS, ride } from "./ride.ts";
import { connectClients, type RunResult } from "./run-context.ts";

interface Contestant {
  target: Target;
  fleet: Fleet;
  turns: Awaited<ReturnType<typeof ride>>[];
}

/** Every target rides `turns` times; returns one result per target (scenario "ride-turns"). */
export async function rideTurnsScenario(
  targets: Target[],
  size: number,
  loadScript: string,
  options: { seconds: number; turns: number },
): Promise<RunResult[]> {
  const contestants: Contestant[] = [];
  try {
    for (const target of targets) {
      const population = await populate(target, size, GROUP_SIZE, { riders: true, tag: `t${size}` });
      const fleet = startFleet(loadScript, size);
      contestants.push({ target, fleet, turns: [] });
      const connected = await connectClients(fleet, target, population.clients, ["/location"]);
      if (connected.failed > 0) throw new Error(`ride-turns: ${connected.failed} clients failed to connect`);
    }
    for (let round = 0; round < options.turns; round++) {
      // Each round starts with the next target, so that none always rides first after a pause.
      for (let i = 0; i < contestants.length; i++) {
        const contestant = contestants[(round + i) % contestants.length]!;
        // Unmeasured first: a server idle through the others' turns starts cold (V8 shrinks an
        // idle heap), and its first second would otherwise be all of its turn's p99. A ride drains
        // its deliveries, so none of the warm-up's lands in the measured turn.
        await ride(contestant.fleet, contestant.target, WARMUP_SECONDS);
        contestant.turns.push(await ride(contestant.fleet, contestant.target, options.seconds));
      }
    }
    return contestants.map(({ target, turns }) => summarize(target, size, turns, options.seconds));
  } finally {
    await Promise.all(contestants.map(({ fleet }) => fleet.close()));
  }
}

function summarize(target: Target, size: number, turns: Contestant["turns"], seconds: number): RunResult {
  const sum = (figure: (t: (typeof turns)[number]) => number) => turns.reduce((a, t) => a + figure(t), 0);
  /** Each turn's CPU (ms) in µs per delivery. */
  const perDelivery = (cpuMs: (t: (typeof turns)[number]) => number) =>
    turns.map((t) => (cpuMs(t) * 1000) / Math.max(1, t.merged.deliveries));
  const cpuPerDelivery = perDelivery((t) => t.after.cpuMs - t.before.cpuMs);
  const kernelCpuPerDelivery = perDelivery((t) => t.after.kernelCpuMs - t.before.kernelCpuMs);
  const loadCpuPerDelivery = perDelivery((t) => t.merged.loadCpuMs);
  const p99s = turns.map((t) => t.merged.latency.getValueAtPercentile(99) / 1000);
  const steals = turns.map((t) => t.steal);
  const latency = latencyHistogram();
  for (const t of turns) latency.add(t.merged.latency);
  const deliveries = sum((t) => t.merged.deliveries);
  return {
    scenario: "ride-turns",
    size,
    target: target.kind,
    metrics: {
      turns: turns.length,
      positionsSent: sum((t) => t.sent),
      deliveries,
      deliveredShare: deliveries / sum((t) => t.expected),
      deliveredPerSecond: deliveries / (turns.length * seconds),
      serverCpuUsPerDeliveryMedianTurn: percentile(cpuPerDelivery, 50),
      serverCpuUsPerDeliveryBestTurn: Math.min(...cpuPerDelivery),
      serverCpuUsPerDeliveryWorstTurn: Math.max(...cpuPerDelivery),
      serverKernelCpuUsPerDeliveryMedianTurn: percentile(kernelCpuPerDelivery, 50),
      loadCpuUsPerDeliveryMedianTurn: percentile(loadCpuPerDelivery, 50),
      hostStealShareMedianTurn: percentile(steals, 50),
      hostStealShareWorstTurn: Math.max(...steals),
      latencyP50Ms: latency.getValueAtPercentile(50) / 1000,
      // Of every turn's deliveries together: how the whole tail differs, beside each turn's p99.
      latencyP90Ms: latency.getValueAtPercentile(90) / 1000,
      latencyP99Ms: latency.getValueAtPercentile(99) / 1000,
      latencyP999Ms: latency.getValueAtPercentile(99.9) / 1000,
      latencyP99MedianTurnMs: percentile(p99s, 50),
      latencyP99WorstTurnMs: Math.max(...p99s),
      serverRssMb: turns.at(-1)!.after.rssKb / 1024,
    },
  };
}
