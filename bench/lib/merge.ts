// The load processes' figures merged into one: latency histograms added,
// last receipts reduced to the latest copy of each message.
import { decodeFromCompressedBase64, type Histogram } from "hdr-histogram-js";
import { latencyHistogram } from "./histogram.ts";
import type { Fleet } from "../load/fleet.ts";
import type { Reply } from "../load/protocol.ts";

export interface Merged {
  deliveries: number;
  /** µs. */
  latency: Histogram;
  lastReceipt: Map<number, number>;
  loadCpuMs: number;
  dropped: number;
}

export async function collectAll(fleet: Fleet): Promise<Merged> {
  const replies = await fleet.all<Extract<Reply, { cmd: "collect" }>>({ cmd: "collect" });
  const latency = latencyHistogram();
  const lastReceipt = new Map<number, number>();
  for (const reply of replies) {
    latency.add(decodeFromCompressedBase64(reply.latency));
    for (const [seq, at] of Object.entries(reply.lastReceipt)) {
      const key = Number(seq);
      if (!(lastReceipt.get(key)! >= at)) lastReceipt.set(key, at);
    }
  }
  return {
    deliveries: replies.reduce((sum, r) => sum + r.deliveries, 0),
    latency,
    lastReceipt,
    loadCpuMs: replies.reduce((sum, r) => sum + r.cpuMs, 0),
    dropped: replies.reduce((sum, r) => sum + r.dropped, 0),
  };
}

/** Percentile of a plain list (ms). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
