// chat fan-out: one group of N members; messages sent at a fixed rate, each
// delivered to every member (the sender included) as message:new.
import { percentile } from "../lib/merge.ts";
import { populate } from "../lib/population.ts";
import type { Reply } from "../load/protocol.ts";
import type { Target } from "../targets/targets.ts";
import { connectClients, drain, sleep, withFleet, type RunResult } from "./run-context.ts";

export interface ChatOptions {
  /** Messages per second offered by the senders together. */
  rate: number;
  seconds: number;
}

/** Senders share the rate: each stays under Convoy's 10 messages per second per socket. */
const SENDERS = 5;
const WARMUP_MESSAGES = 20;

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
    await fleet.all({ cmd: "reset" });
    await send(WARMUP_MESSAGES, 0);
    await drain(fleet, WARMUP_MESSAGES * size, 30_000);
    await sleep(500);

    await fleet.all({ cmd: "reset" });
    const before = target.usage();
    const count = Math.round(options.rate * options.seconds);
    const sent = await send(count, 1_000_000);
    const merged = await drain(fleet, count * size, 60_000);
    const after = target.usage();

    const sendTimes = Object.entries(sent.sent).map(([seq, at]) => [Number(seq), at] as const);
    const firstSend = Math.min(...sendTimes.map(([, at]) => at));
    const lastReceipt = Math.max(...merged.lastReceipt.values());
    const sendToLast = sendTimes
      .filter(([seq]) => merged.lastReceipt.has(seq))
      .map(([seq, at]) => merged.lastReceipt.get(seq)! - at);
    return {
      scenario: "chat",
      size,
      target: target.kind,
      metrics: {
        messages: count,
        failedSends: sent.failed,
        deliveries: merged.deliveries,
        lostDeliveries: count * size - merged.deliveries,
        latencyP50Ms: merged.latency.getValueAtPercentile(50) / 1000,
        latencyP99Ms: merged.latency.getValueAtPercentile(99) / 1000,
        sendToLastP50Ms: percentile(sendToLast, 50),
        sendToLastP99Ms: percentile(sendToLast, 99),
        deliveredPerSecond: merged.deliveries / ((lastReceipt - firstSend) / 1000),
        serverCpuUsPerDelivery: ((after.cpuMs - before.cpuMs) * 1000) / merged.deliveries,
        loadCpuMs: merged.loadCpuMs,
      },
    };
  });
}
