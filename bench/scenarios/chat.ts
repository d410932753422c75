// chat fan-out: one group of N members; messages sent at a fixed rate, each
// delivered to every member (the sender included) as message:new.
import { latencyHistogram } from "../lib/histogram.ts";
import { percentile } from "../lib/merge.ts";
import { populate } from "../lib/population.ts";
import type { Reply } from "../load/protocol.ts";
import type { Target } from "../targets/targets.ts";
import { connectClients, measure, sleep, withFleet, type RunResult } from "./run-context.ts";

export interface ChatOptions {
  /** Messages per second offered by the senders together. */
  rate: number;
  seconds: number;
}

/** Senders share the rate: each stays under Convoy's 10 messages per second per socket. */
const SENDERS = 5;
const WARMUP_MESSAGES = 20;
/**
 * The measured burst is repeated and the CPU per delivery reported as the
 * median of the bursts: one burst's figure moves by ±7% on this shared box.
 */
const BURSTS = 3;

export async function chatScenario(
  target: Target,
  size: number,
  loadScript: string,
  options: ChatOptions,
): Promise<RunResult> {
  const { clients: specs } = await populate(target, size, size, { tag: `m${size}` });
  return withFleet(loadScript, size, async (fleet) => {
    const connected = await connectClients(fleet, target, specs, ["/chat"]);
    if (connected.failed > 0) throw new Error(`chat: ${connected.failed} clients failed to connect`);
    const intervalMs = 1000 / options.rate;
    // The senders are the first clients of load process 0; every process receives.
    const send = (count: number, firstSeq: number) =>
      fleet.one<Extract<Reply, { cmd: "chat" }>>(0, {
        cmd: "chat",
        senders: SENDERS,
        count,
        intervalMs,
        firstSeq,
      });
    // Warm-up: JIT, buffers, the store's first writes.
    await measure(
      fleet,
      target,
      () => send(WARMUP_MESSAGES, 0),
      () => WARMUP_MESSAGES * size,
      30_000,
    );
    await sleep(500);

    const count = Math.round(options.rate * options.seconds);
    const bursts = [];
    for (let i = 0; i < BURSTS; i++) {
      const burst = await measure(
        fleet,
        target,
        () => send(count, (i + 1) * 1_000_000),
        () => count * size,
        60_000,
      );
      bursts.push({ sent: burst.acted, merged: burst.merged, cpuMs: burst.after.cpuMs - burst.before.cpuMs });
      // A pause, as after the warm-up: one burst's trailing work stays out of the next one's figures.
      await sleep(500);
    }

    const latency = latencyHistogram();
    const sendToLast: number[] = [];
    let deliveries = 0;
    let failedSends = 0;
    let deliveringSeconds = 0;
    for (const { sent, merged } of bursts) {
      latency.add(merged.latency);
      deliveries += merged.deliveries;
      failedSends += sent.failed;
      const sendTimes = Object.entries(sent.sent).map(([seq, at]) => [Number(seq), at] as const);
      for (const [seq, at] of sendTimes) {
        const last = merged.lastReceipt.get(seq);
        if (last !== undefined) sendToLast.push(last - at);
      }
      const firstSend = Math.min(...sendTimes.map(([, at]) => at));
      deliveringSeconds += (Math.max(...merged.lastReceipt.values()) - firstSend) / 1000;
    }
    const cpuPerDelivery = bursts.map(({ cpuMs, merged }) => (cpuMs * 1000) / merged.deliveries);
    return {
      scenario: "chat",
      size,
      target: target.kind,
      metrics: {
        messages: count * BURSTS,
        failedSends,
        deliveries,
        lostDeliveries: count * BURSTS * size - deliveries,
        latencyP50Ms: latency.getValueAtPercentile(50) / 1000,
        latencyP99Ms: latency.getValueAtPercentile(99) / 1000,
        sendToLastP50Ms: percentile(sendToLast, 50),
        sendToLastP99Ms: percentile(sendToLast, 99),
        deliveredPerSecond: deliveries / deliveringSeconds,
        serverCpuUsPerDeliveryMedian: percentile(cpuPerDelivery, 50),
        serverCpuUsPerDeliveryWorst: Math.max(...cpuPerDelivery),
        loadCpuMs: bursts.reduce((sum, { merged }) => sum + merged.loadCpuMs, 0),
      },
    };
  });
}
