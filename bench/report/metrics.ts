// What each reported figure means: its label, unit, and which way is better.
export interface MetricInfo {
  label: string;
  unit: string;
  better: "lower" | "higher" | "neither";
  digits: number;
}

export const METRICS: Record<string, MetricInfo> = {
  connectionsPerSecond: { label: "connections/s", unit: "/s", better: "higher", digits: 0 },
  failed: { label: "failed or dropped connections", unit: "", better: "lower", digits: 0 },
  serverCpuMsPerConnection: { label: "server CPU per connection", unit: "ms", better: "lower", digits: 2 },
  refreshCpuMsPerClient: {
    label: "server CPU per token refresh (HTTP)",
    unit: "ms",
    better: "lower",
    digits: 2,
  },
  renewOneCpuMsPerClient: {
    label: "server CPU per renewal: refresh + session:renew on one namespace",
    unit: "ms",
    better: "lower",
    digits: 2,
  },
  renewAllCpuMsPerClient: {
    label: "server CPU per renewal: refresh + session:renew on all three",
    unit: "ms",
    better: "lower",
    digits: 2,
  },
  refreshesPerSecond: { label: "token refreshes/s", unit: "/s", better: "higher", digits: 0 },
  renewalsOnePerSecond: { label: "renewals on one namespace/s", unit: "/s", better: "higher", digits: 0 },
  renewalsAllPerSecond: { label: "renewals on all three/s", unit: "/s", better: "higher", digits: 0 },
  serverRssKbPerConnection: { label: "server RSS per connection", unit: "KB", better: "lower", digits: 1 },
  serverRssKbPerClientFromIdle: {
    label: "server RSS per client, from the idle server (sign-ups included)",
    unit: "KB",
    better: "lower",
    digits: 1,
  },
  serverRssMb: { label: "server RSS at the end", unit: "MB", better: "lower", digits: 0 },
  redisRssMb: { label: "Redis RSS at the end (counted above too)", unit: "MB", better: "lower", digits: 0 },
  redisRssKbPerConnection: { label: "Redis RSS per connection", unit: "KB", better: "lower", digits: 1 },
  workers: { label: "server workers", unit: "", better: "neither", digits: 0 },
  loadProcesses: { label: "load processes", unit: "", better: "neither", digits: 0 },
  droppedWhileHeld: { label: "dropped while held", unit: "", better: "lower", digits: 0 },
  heldSeconds: { label: "held for", unit: "s", better: "neither", digits: 0 },
  serverSockets: {
    label: "sockets the server counts (3 per client)",
    unit: "",
    better: "neither",
    digits: 0,
  },
  loadCpuMs: { label: "load generators' CPU", unit: "ms", better: "neither", digits: 0 },
  messages: { label: "messages sent", unit: "", better: "neither", digits: 0 },
  failedSends: { label: "sends refused or unanswered", unit: "", better: "lower", digits: 0 },
  deliveries: { label: "deliveries", unit: "", better: "neither", digits: 0 },
  lostDeliveries: { label: "deliveries missing", unit: "", better: "lower", digits: 0 },
  latencyP50Ms: { label: "delivery latency p50", unit: "ms", better: "lower", digits: 2 },
  latencyP90Ms: { label: "delivery latency p90", unit: "ms", better: "lower", digits: 2 },
  latencyP99Ms: { label: "delivery latency p99", unit: "ms", better: "lower", digits: 2 },
  latencyP999Ms: { label: "delivery latency p99.9", unit: "ms", better: "lower", digits: 2 },
  sendToLastP50Ms: { label: "send → last receipt p50", unit: "ms", better: "lower", digits: 1 },
  sendToLastP99Ms: { label: "send → last receipt p99", unit: "ms", better: "lower", digits: 1 },
  deliveredPerSecond: { label: "delivered/s", unit: "/s", better: "higher", digits: 0 },
  serverCpuUsPerDelivery: { label: "server CPU per delivery", unit: "µs", better: "lower", digits: 1 },
  serverKernelCpuUsPerDelivery: {
    label: "… of it in the kernel (system time)",
    unit: "µs",
    better: "lower",
    digits: 1,
  },
  serverCpuUsPerDeliveryMedian: {
    label: "server CPU per delivery, median of 3 bursts",
    unit: "µs",
    better: "lower",
    digits: 1,
  },
  serverCpuUsPerDeliveryWorst: {
    label: "server CPU per delivery, worst burst",
    unit: "µs",
    better: "lower",
    digits: 1,
  },
  turns: { label: "turns each server rode, taking turns", unit: "", better: "neither", digits: 0 },
  serverCpuUsPerDeliveryMedianTurn: {
    label: "server CPU per delivery, median turn",
    unit: "µs",
    better: "lower",
    digits: 1,
  },
  serverCpuUsPerDeliveryBestTurn: {
    label: "server CPU per delivery, best turn",
    unit: "µs",
    better: "lower",
    digits: 1,
  },
  serverCpuUsPerDeliveryWorstTurn: {
    label: "server CPU per delivery, worst turn",
    unit: "µs",
    better: "lower",
    digits: 1,
  },
  serverKernelCpuUsPerDeliveryMedianTurn: {
    label: "… of it in the kernel (system time), median turn",
    unit: "µs",
    better: "lower",
    digits: 1,
  },
  loadCpuUsPerDeliveryMedianTurn: {
    label: "load generators' CPU per delivery, median turn (how fast the box ran)",
    unit: "µs",
    better: "neither",
    digits: 1,
  },
  hostStealShareMedianTurn: {
    label: "host CPU time stolen by other guests (hypervisor steal), median turn",
    unit: "",
    better: "neither",
    digits: 3,
  },
  hostStealShareWorstTurn: {
    label: "host CPU time stolen by other guests, worst turn",
    unit: "",
    better: "neither",
    digits: 3,
  },
  latencyP99MedianTurnMs: {
    label: "delivery latency p99, median turn",
    unit: "ms",
    better: "lower",
    digits: 2,
  },
  latencyP99WorstTurnMs: {
    label: "delivery latency p99, worst turn",
    unit: "ms",
    better: "lower",
    digits: 2,
  },
  positionsSent: { label: "positions sent", unit: "", better: "neither", digits: 0 },
  latencyP99MedianMs: {
    label: "delivery latency p99, median of 3 rides",
    unit: "ms",
    better: "lower",
    digits: 2,
  },
  latencyP99WorstMs: { label: "delivery latency p99, worst ride", unit: "ms", better: "lower", digits: 2 },
  deliveredShare: { label: "share of positions delivered", unit: "", better: "higher", digits: 3 },
  stalledSubscriberGroups: {
    label: "then a subscriber of every group stops reading: its groups",
    unit: "",
    better: "neither",
    digits: 0,
  },
  stalledDeliveredShare: { label: "… share delivered to the others", unit: "", better: "higher", digits: 3 },
  stalledLatencyP99Ms: { label: "… the others' latency p99", unit: "ms", better: "lower", digits: 2 },
  stalledSeconds: { label: "… for", unit: "s", better: "neither", digits: 0 },
  stalledBacklogMb: {
    label: "… bytes waiting for it when it reads again (server + kernel)",
    unit: "MB",
    better: "lower",
    digits: 1,
  },
  stalledCut: { label: "… the server cut it", unit: "", better: "neither", digits: 0 },
  stalledRssGrowthMb: {
    label: "… server RSS growth, peak (GC noise included)",
    unit: "MB",
    better: "lower",
    digits: 1,
  },
};

export function formatValue(name: string, value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return "–";
  const info = METRICS[name];
  const text = value.toLocaleString("en-US", {
    maximumFractionDigits: info?.digits ?? 2,
    minimumFractionDigits: 0,
  });
  return info?.unit && info.unit !== "/s" ? `${text} ${info.unit}` : text;
}
