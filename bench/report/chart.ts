// One picture: for each scenario and size, how many times bare Socket.IO's
// cost Convoy pays (server CPU, memory, p99 latency). 1× is parity.
import type { RunResult } from "../scenarios/run-context.ts";
import { METRICS } from "./metrics.ts";

const SHOWN: Record<string, string[]> = {
  connect: ["serverCpuMsPerConnection", "serverRssKbPerConnection"],
  chat: ["serverCpuUsPerDeliveryMedian", "latencyP99Ms"],
  ride: ["serverCpuUsPerDelivery", "latencyP99MedianMs"],
  "ride-turns": ["serverCpuUsPerDeliveryMedianTurn", "latencyP99MedianTurnMs"],
};
const COLORS = ["#1f5fa8", "#d9822b"];

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export function ratioChart(results: RunResult[]): string {
  const bars: { group: string; metric: string; ratio: number; color: string }[] = [];
  for (const convoy of results.filter((r) => r.target === "convoy")) {
    const bare = results.find(
      (r) => r.target === "bare" && r.scenario === convoy.scenario && r.size === convoy.size,
    );
    if (!bare) continue;
    (SHOWN[convoy.scenario] ?? []).forEach((metric, i) => {
      const c = convoy.metrics[metric];
      const b = bare.metrics[metric];
      if (c === undefined || b === undefined || b <= 0) return;
      bars.push({
        group: `${convoy.scenario} ${convoy.size.toLocaleString("en-US")}`,
        metric: METRICS[metric]?.label ?? metric,
        ratio: c / b,
        color: COLORS[i % COLORS.length]!,
      });
    });
  }
  const rowHeight = 22;
  const left = 330;
  const width = 760;
  const plot = width - left - 60;
  const top = 40;
  const height = top + bars.length * rowHeight + 50;
  const max = Math.max(2, ...bars.map((b) => Math.ceil(b.ratio)));
  const x = (ratio: number) => left + (ratio / max) * plot;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">Convoy ÷ bare Socket.IO (1× = parity, lower is better)</text>`,
  ];
  for (let tick = 0; tick <= max; tick++)
    out.push(
      `<line x1="${x(tick)}" x2="${x(tick)}" y1="${top - 5}" y2="${height - 40}" stroke="${tick === 1 ? "#333" : "#ddd"}"/>`,
      `<text x="${x(tick)}" y="${height - 25}" text-anchor="middle">${tick}×</text>`,
    );
  bars.forEach((bar, i) => {
    const y = top + i * rowHeight;
    out.push(
      `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${escape(`${bar.group}: ${bar.metric}`)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${Math.max(1, x(bar.ratio) - left)}" height="${rowHeight - 6}" fill="${bar.color}"/>`,
      `<text x="${x(bar.ratio) + 4}" y="${y + 14}">${bar.ratio.toFixed(2)}×</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n");
}
