// The run as a report: raw JSON, a Markdown table per scenario and size
// (Convoy, bare, and their ratio), the issue's targets, and an SVG chart of
// the ratios. Written under a dated name and as latest.*.
import { cpus, release, totalmem } from "node:os";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunResult } from "../scenarios/run-context.ts";
import type { TargetKind } from "../targets/targets.ts";
import { ratioChart } from "./chart.ts";
import { formatValue, METRICS } from "./metrics.ts";

export interface RunRecord {
  startedAt: Date;
  finishedAt: Date;
  argv: string[];
  results: RunResult[];
}

export function machine() {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
  };
}

const find = (results: RunResult[], scenario: string, size: number, target: TargetKind) =>
  results.find((r) => r.scenario === scenario && r.size === size && r.target === target);

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0
    ? undefined
    : a / b;
const times = (value: number | undefined) => (value === undefined ? "–" : `${value.toFixed(2)}×`);

function table(results: RunResult[], scenario: string, size: number): string {
  // hold runs as clusters on both sides: those are its Convoy and bare columns.
  const convoy = find(results, scenario, size, "convoy") ?? find(results, scenario, size, "convoy-hold");
  // Scaled-out runs, fewest workers first: "convoy-cluster" has 2, "convoy-cluster-<n>" n.
  const workersOf = (run: RunResult) => (run.target === "convoy-cluster" ? 2 : Number(run.target.slice(15)));
  const clusters = results
    .filter((r) => r.scenario === scenario && r.size === size && r.target.startsWith("convoy-cluster"))
    .sort((a, b) => workersOf(a) - workersOf(b));
  const bare = find(results, scenario, size, "bare") ?? find(results, scenario, size, "bare-hold");
  const bareOne = find(results, scenario, size, "bare-1ns");
  const bareCluster = find(results, scenario, size, "bare-cluster");
  const bareTwin = find(results, scenario, size, "bare-twin");
  const convoyTwin = find(results, scenario, size, "convoy-twin");
  // renew runs on a cluster only.
  const names = Object.keys(convoy?.metrics ?? bare?.metrics ?? clusters[0]?.metrics ?? {});
  const columns = [
    "figure",
    "Convoy",
    ...(convoyTwin ? ["Convoy again (a second server)"] : []),
    ...clusters.map((run) => `Convoy, ${workersOf(run)} workers + Redis`),
    "bare Socket.IO",
    ...(bareTwin ? ["bare again (a second server)"] : []),
    ...(bareCluster ? ["bare, 2 workers + Redis"] : []),
    "Convoy ÷ bare",
    ...(convoyTwin ? ["Convoy again ÷ Convoy"] : []),
    ...(bareTwin ? ["bare again ÷ bare"] : []),
    ...clusters.map((run) => `${workersOf(run)} workers ÷ one process`),
    ...(bareCluster ? ["bare: 2 workers ÷ one process"] : []),
    ...(bareOne ? ["bare, /chat only"] : []),
  ];
  const rows = names.map((name) => {
    const value = (run: RunResult | undefined) => run?.metrics[name];
    const cells = [
      METRICS[name]?.label ?? name,
      formatValue(name, value(convoy)),
      ...(convoyTwin ? [formatValue(name, value(convoyTwin))] : []),
      ...clusters.map((run) => formatValue(name, value(run))),
      formatValue(name, value(bare)),
      ...(bareTwin ? [formatValue(name, value(bareTwin))] : []),
      ...(bareCluster ? [formatValue(name, value(bareCluster))] : []),
      times(ratio(value(convoy), value(bare))),
      ...(convoyTwin ? [times(ratio(value(convoyTwin), value(convoy)))] : []),
      ...(bareTwin ? [times(ratio(value(bareTwin), value(bare)))] : []),
      ...clusters.map((run) => times(ratio(value(run), value(convoy)))),
      ...(bareCluster ? [times(ratio(value(bareCluster), value(bare)))] : []),
      ...(bareOne ? [formatValue(name, value(bareOne))] : []),
    ];
    return `| ${cells.join(" | ")} |`;
  });
  const head = `| ${columns.join(" | ")} |\n|---|${columns
    .slice(1)
    .map(() => "---:")
    .join("|")}|`;
  return [head, ...rows].join("\n");
}

interface TargetCheck {
  goal: string;
  figure: string;
  met: boolean | undefined;
}

/** The issue's targets, as far as this run measured them. */
export function targetChecks(results: RunResult[]): TargetCheck[] {
  const largest = (scenario: string, target: TargetKind) =>
    results.filter((r) => r.scenario === scenario && r.target === target).sort((a, b) => b.size - a.size)[0];
  const checks: TargetCheck[] = [];
  const chatConvoy = largest("chat", "convoy");
  const chatBare = chatConvoy && find(results, "chat", chatConvoy.size, "bare");
  const cpu = ratio(
    chatConvoy?.metrics.serverCpuUsPerDeliveryMedian,
    chatBare?.metrics.serverCpuUsPerDeliveryMedian,
  );
  // The load processes do the same work against both servers (same deliveries, same bytes):
  // their CPU ratio shows how much faster or slower this shared box ran during Convoy's turn.
  const box = ratio(chatConvoy?.metrics.loadCpuMs, chatBare?.metrics.loadCpuMs);
  const even =
    cpu === undefined || box === undefined
      ? ""
      : `; the load processes' CPU ${times(box)}, so ${times(cpu / box)} on an even box`;
  checks.push({
    goal: "server CPU per delivered chat message within 1.2× of bare Socket.IO",
    figure:
      cpu === undefined
        ? "not run"
        : `${times(cpu)} (${chatConvoy!.size} members, median of 3 bursts${even})`,
    met: cpu === undefined ? undefined : cpu <= 1.2,
  });
  // Servers taking turns (ride-turns) share the host's drift: their figures are preferred when run.
  const turns = find(results, "ride-turns", 2000, "convoy") !== undefined;
  const rides = turns ? "ride-turns" : "ride";
  const cpuOf = (target: TargetKind) =>
    find(results, rides, 2000, target)?.metrics[
      turns ? "serverCpuUsPerDeliveryMedianTurn" : "serverCpuUsPerDelivery"
    ];
  const rideConvoy = find(results, rides, 2000, "convoy");
  const of = turns
    ? `medians of ${rideConvoy!.metrics.turns} turns, servers taking turns`
    : "medians of 3 rides";
  // Each server twice, where the twins rode: the two medians of a kind are averaged before they
  // are compared, and a twin's ratio to its first shows what two servers that do not differ look
  // like in this run (on this box, up to 2× apart on p99: docs/benchmarks.md).
  const pooled = (figure: (target: TargetKind) => number | undefined, kind: "convoy" | "bare") => {
    const [first, twin] = [figure(kind), figure(`${kind}-twin`)];
    return first === undefined || twin === undefined ? first : (first + twin) / 2;
  };
  const pooledNote = (figure: (target: TargetKind) => number | undefined) => {
    const bareTwin = ratio(figure("bare-twin"), figure("bare"));
    const convoyTwin = ratio(figure("convoy-twin"), figure("convoy"));
    const twins = bareTwin !== undefined && convoyTwin !== undefined;
    return (
      (twins
        ? `; each kind's two servers averaged; Convoy alone against bare alone: ${times(ratio(figure("convoy"), figure("bare")))}`
        : "") +
      (bareTwin === undefined ? "" : `; a second bare server against the first: ${times(bareTwin)}`) +
      (convoyTwin === undefined ? "" : `; a second Convoy server against the first: ${times(convoyTwin)}`)
    );
  };
  const rideCpu = ratio(pooled(cpuOf, "convoy"), pooled(cpuOf, "bare"));
  checks.push({
    goal: "server CPU per delivered position (2,000 riders) within 1.2× of bare Socket.IO",
    figure:
      rideCpu === undefined ? "not run" : `${times(rideCpu)}${turns ? ` (${of}${pooledNote(cpuOf)})` : ""}`,
    met: rideCpu === undefined ? undefined : rideCpu <= 1.2,
  });
  const p99Name = turns ? "latencyP99MedianTurnMs" : "latencyP99MedianMs";
  const p99Of = (target: TargetKind) => find(results, rides, 2000, target)?.metrics[p99Name];
  const p99Convoy = pooled(p99Of, "convoy");
  const p99Bare = pooled(p99Of, "bare");
  const p99Ratio = ratio(p99Convoy, p99Bare);
  const convoyDeliveredAll = (["convoy", "convoy-twin"] as const)
    .map((kind) => find(results, rides, 2000, kind)?.metrics.deliveredShare)
    .every((share) => share === undefined || share === 1);
  checks.push({
    goal: "2,000 riders at 1 Hz: end-to-end p99 within 1.2× of bare Socket.IO, every position delivered",
    figure:
      p99Ratio === undefined
        ? "not run"
        : `${times(p99Ratio)}: ${p99Convoy!.toFixed(1)} ms against ${p99Bare!.toFixed(1)} ms (${of}${pooledNote(p99Of)})`,
    met: p99Ratio === undefined ? undefined : p99Ratio <= 1.2 && convoyDeliveredAll,
  });
  const scaled = ratio(cpuOf("convoy-cluster"), cpuOf("convoy"));
  const bareScaled = ratio(cpuOf("bare-cluster"), cpuOf("bare"));
  checks.push({
    goal: "ride on 2 workers + Redis within 1.3× of one process, server CPU per delivery",
    figure:
      scaled === undefined
        ? "not run"
        : `${times(scaled)}${bareScaled === undefined ? "" : ` (bare Socket.IO with the Redis adapter: ${times(bareScaled)})`}${turns ? ` (${of})` : ""}`,
    met: scaled === undefined ? undefined : scaled <= 1.3,
  });
  const connectConvoy = largest("connect", "convoy");
  const connectBare = connectConvoy && find(results, "connect", connectConvoy.size, "bare");
  const memory = ratio(
    connectConvoy?.metrics.serverRssKbPerConnection,
    connectBare?.metrics.serverRssKbPerConnection,
  );
  checks.push({
    goal: "memory per client on all three namespaces within 1.2× of a bare client on three",
    figure: memory === undefined ? "not run" : `${times(memory)} (${connectConvoy!.size} clients)`,
    met: memory === undefined ? undefined : memory <= 1.2,
  });
  const hold = largest("hold", "convoy-hold");
  const lost = hold && hold.metrics.failed! + hold.metrics.droppedWhileHeld!;
  checks.push({
    goal: "100,000 clients held on this box for a minute, none failed or dropped",
    figure: hold
      ? `${hold.size.toLocaleString("en-US")} clients, ${lost} failed or dropped, ${hold.metrics.workers} workers`
      : "not run",
    met: hold ? hold.size >= 100_000 && lost === 0 : undefined,
  });
  const flood = largest("flood", "convoy-flood");
  const floodRatio = flood?.metrics.p99Ratio;
  checks.push({
    goal: "legitimate handshake p99 during a 400 logins/s flood within 2× of the same run without it",
    figure: flood
      ? `${times(floodRatio)}: ${flood.metrics.handshakeP99MsFlooded!.toFixed(1)} ms against ` +
        `${flood.metrics.handshakeP99MsQuiet!.toFixed(1)} ms (${flood.size} clients; ` +
        `${flood.metrics.floodLogins} flood logins, ${flood.metrics.floodRefused429} refused 429)`
      : "not run",
    met: flood ? floodRatio! <= 2 && flood.metrics.failed === 0 : undefined,
  });
  return checks;
}

export function markdown(run: RunRecord): string {
  const m = machine();
  const lines = [
    `# Convoy vs bare Socket.IO — ${run.startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Command: \`npm run bench${run.argv.length ? ` -- ${run.argv.join(" ")}` : ""}\` · ` +
      `${Math.round((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000)} s`,
    "",
    `Machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}. ` +
      "The server and the load processes share these cores: figures are comparable within this run, " +
      "between Convoy and bare Socket.IO, not across machines.",
    "",
    "Server CPU and memory are read from /proc for the server process and its children " +
      "(for a cluster: the primary, its workers and Redis); the load generators' CPU is reported separately.",
    "",
    "## Targets",
    "",
    "| goal | this run | met |",
    "|---|---|---|",
    ...targetChecks(run.results).map(
      (c) => `| ${c.goal} | ${c.figure} | ${c.met === undefined ? "–" : c.met ? "yes" : "no"} |`,
    ),
    "",
  ];
  const scenarios = [...new Set(run.results.map((r) => r.scenario))];
  for (const scenario of scenarios) {
    const sizes = [...new Set(run.results.filter((r) => r.scenario === scenario).map((r) => r.size))];
    for (const size of sizes) {
      lines.push(`## ${scenario}, ${size.toLocaleString("en-US")} ${UNITS[scenario] ?? "clients"}`, "");
      lines.push(table(run.results, scenario, size), "");
    }
  }
  lines.push("![Convoy ÷ bare Socket.IO](latest.svg)", "");
  return lines.join("\n");
}

const UNITS: Record<string, string> = {
  connect: "clients",
  chat: "members in one group",
  ride: "riders",
  "ride-turns": "riders, every server up and riding in turns",
  hold: "clients held, on a cluster of workers",
  flood: "clients connecting during a login flood",
  renew: "clients renewing their sessions (Convoy on 2 workers + Redis)",
};

/** Writes `<stamp>.{json,md,svg}` and `latest.*`; returns the paths written. */
export function writeReport(dir: string, run: RunRecord): string[] {
  const stamp = run.startedAt.toISOString().replace(/[:.]/g, "-").slice(0, 19);
  const files: Record<string, string> = {
    json: JSON.stringify({ ...run, machine: machine() }, null, 2),
    md: markdown(run),
    svg: ratioChart(run.results),
  };
  const written: string[] = [];
  for (const [ext, content] of Object.entries(files)) {
    for (const name of [stamp, "latest"]) {
      const path = join(dir, `${name}.${ext}`);
      writeFileSync(
        path,
        ext === "md" && name !== "latest" ? content.replace("latest.svg", `${stamp}.svg`) : content,
      );
      written.push(path);
    }
  }
  return written;
}
