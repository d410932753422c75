// npm run bench: every scenario against Convoy and against bare Socket.IO,
// interleaved in one session on this machine, then a report in bench/results/.
//
//   npm run bench                         connect, chat and ride at the default sizes
//   npm run bench -- --big                adds the big sizes (20k clients, 5k members,
//                                         50k clients held by 4 workers)
//   npm run bench -- --only chat,ride     some scenarios ("cluster": chat and ride
//                                         also on 2 workers + Redis)
//   npm run bench -- --connect 1000 --ride 500,2000   sizes of your own
//   npm run bench -- --only ride --ride 2000 --profile
//                                         servers run under --cpu-prof; see bench/profile.ts
//   npm run bench -- --only ride,cluster --ride 2000 --targets convoy-cluster
//                                         only these servers of the run
//   npm run bench -- --only ride --ride 2000 --gc-log
//                                         servers log CPU, event-loop delay and GCs each second
//   npm run bench -- --only flood --flood 1000 --flood-rate 400
//                                         clients connect during a login flood (Convoy only)
//   npm run bench -- --only turns --turns 6
//                                         ride 2,000 on one process, on 2 workers + Redis and on
//                                         bare Socket.IO, all up at once and riding in turns
//   npm run bench -- --only turns --turns 3 --targets convoy,bare,bare-in-convoy
//                                         bare Socket.IO also served from Convoy's process:
//                                         the same relay in Convoy's heap
//   npm run bench -- --only renew --renew 5000
//                                         server CPU per session renewal beside per connection
//                                         (Convoy on 2 workers + Redis; not in the default run)
import { mkdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { writeReport } from "./report/report.ts";
import { chatScenario } from "./scenarios/chat.ts";
import { connectScenario } from "./scenarios/connect.ts";
import { floodScenario } from "./scenarios/flood.ts";
import { holdScenario } from "./scenarios/hold.ts";
import { renewScenario } from "./scenarios/renew.ts";
import { rideScenario } from "./scenarios/ride.ts";
import { rideTurnsScenario } from "./scenarios/ride-turns.ts";
import type { RunResult, Scripts } from "./scenarios/run-context.ts";
import {
  startBare,
  startBareCluster,
  startConvoy,
  startConvoyCluster,
  type Target,
  type TargetKind,
} from "./targets/targets.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const { values: flags } = parseArgs({
  options: {
    big: { type: "boolean", default: false },
    only: { type: "string" },
    connect: { type: "string" },
    chat: { type: "string" },
    ride: { type: "string" },
    seconds: { type: "string", default: "10" },
    "stall-seconds": { type: "string", default: "20" },
    hold: { type: "string" },
    flood: { type: "string" },
    renew: { type: "string" },
    "flood-rate": { type: "string", default: "400" },
    "hold-seconds": { type: "string", default: "60" },
    "hold-workers": { type: "string" },
    "cluster-workers": { type: "string", default: "2" },
    turns: { type: "string", default: "6" },
    "turns-riders": { type: "string", default: "2000" },
    out: { type: "string", default: here("./results") },
    profile: { type: "boolean", default: false },
    "gc-log": { type: "boolean", default: false },
    /** A V8/Node flag for every server, Convoy and bare alike (e.g. --node-flag=--max-semi-space-size=32). */
    "node-flag": { type: "string", multiple: true, default: [] },
    targets: { type: "string" },
  },
});

const sizes = (flag: string | undefined, normal: number[], big: number[]) =>
  flag ? flag.split(",").map(Number) : flags.big ? [...normal, ...big] : normal;
const plan = {
  connect: sizes(flags.connect, [1000, 5000, 10_000], [20_000]),
  chat: sizes(flags.chat, [1000], [5000]),
  ride: sizes(flags.ride, [500, 2000, 5000], []),
  hold: sizes(flags.hold, [], [50_000]),
  flood: sizes(flags.flood, [1000], []),
  renew: sizes(flags.renew, [5000], []),
};
/**
 * A process may open at most 20,000 files here: a worker holds at most 15,000
 * clients (one connection each), and at least 4 workers run.
 */
const CLIENTS_PER_WORKER = 15_000;
const holdWorkers = (size: number) =>
  flags["hold-workers"] ? Number(flags["hold-workers"]) : Math.max(4, Math.ceil(size / CLIENTS_PER_WORKER));
const only = new Set((flags.only ?? "connect,chat,ride,cluster,turns,hold,flood").split(","));
/** Workers of the scaled-out runs (`--cluster-workers 2,4`); 2 is "convoy-cluster". */
const clusterKinds = flags["cluster-workers"]
  .split(",")
  .map(Number)
  .map((workers): TargetKind => (workers === 2 ? "convoy-cluster" : `convoy-cluster-${workers}`));
/**
 * Chat, and ride at 2,000 riders, also run scaled out: Convoy on workers and
 * Redis, and bare Socket.IO on 2 workers with the Redis adapter.
 */
const scaledOut = (scenario: string, size: number): TargetKind[] =>
  only.has("cluster") && (scenario === "chat" || size === 2000) ? [...clusterKinds, "bare-cluster"] : [];
const seconds = Number(flags.seconds);
/** `--targets convoy-cluster,bare-cluster`: only these servers (to profile one, say). */
const onlyTargets = flags.targets ? new Set(flags.targets.split(",")) : undefined;

/** The bare server and the load processes run as plain JavaScript, like Convoy's dist/main.js. */
async function bundle(): Promise<Scripts> {
  const out = {
    bareServer: here("./dist/bare-server.mjs"),
    loadProcess: here("./dist/load-process.mjs"),
    gcLog: here("./dist/gc-log.mjs"),
  };
  const common = {
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
  } as const;
  await build({ ...common, entryPoints: [here("./targets/bare-server.ts")], outfile: out.bareServer });
  await build({ ...common, entryPoints: [here("./load/load-process.ts")], outfile: out.loadProcess });
  await build({ ...common, entryPoints: [here("./targets/gc-log.ts")], outfile: out.gcLog });
  return out;
}

const scripts = await bundle();
/** One .cpuprofile per server process, written when it exits. */
const profileDir = here("./results/profiles");
const nodeArgs = [
  ...flags["node-flag"],
  ...(flags.profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []),
  ...(flags["gc-log"] ? ["--import", pathToFileURL(scripts.gcLog).href] : []),
];
const starters: Record<
  Exclude<TargetKind, `convoy-cluster-${number}` | "bare-in-convoy">,
  (size: number) => Promise<Target>
> = {
  convoy: () => startConvoy({}, "convoy", nodeArgs),
  "convoy-twin": () => startConvoy({}, "convoy-twin", nodeArgs),
  "convoy-cluster": () => startConvoyCluster(2, nodeArgs),
  "convoy-hold": (size) => startConvoyCluster(holdWorkers(size), nodeArgs, "convoy-hold"),
  // The default password cost: the flood must meet the hashing a real deployment does.
  "convoy-flood": () => startConvoy({ PASSWORD_COST: "16384" }, "convoy-flood", nodeArgs),
  "bare-hold": (size) => startBare(scripts.bareServer, "bare-hold", { workers: holdWorkers(size), nodeArgs }),
  bare: () => startBare(scripts.bareServer, "bare", { nodeArgs }),
  "bare-twin": () => startBare(scripts.bareServer, "bare-twin", { nodeArgs }),
  "bare-1ns": () => startBare(scripts.bareServer, "bare-1ns", { namespaces: 1, nodeArgs }),
  "bare-cluster": () => startBareCluster(scripts.bareServer, 2, nodeArgs),
};

const start = (kind: TargetKind, size: number): Promise<Target> => {
  const workers = /^convoy-cluster-(\d+)$/.exec(kind)?.[1];
  return workers
    ? startConvoyCluster(Number(workers), nodeArgs, kind)
    : starters[kind as keyof typeof starters](size);
};
const rounded = (metrics: Record<string, number>) =>
  JSON.stringify(metrics, (_, v: unknown) => (typeof v === "number" ? +v.toFixed(3) : v));

const results: RunResult[] = [];
const startedAt = new Date();

/** One run on a fresh server; the order of targets alternates between sizes so that drift hits both. */
async function runAll(
  scenario: string,
  sizeList: number[],
  kindsOf: (size: number) => TargetKind[],
  run: (target: Target, size: number) => Promise<RunResult>,
): Promise<void> {
  for (const [i, size] of sizeList.entries()) {
    const kinds = kindsOf(size).filter((kind) => !onlyTargets || onlyTargets.has(kind));
    const order = i % 2 === 0 ? kinds : [...kinds].reverse();
    for (const kind of order) {
      const target = await start(kind, size);
      try {
        process.stdout.write(`${scenario} ${size} on ${kind}… `);
        const result = await run(target, size);
        results.push(result);
        console.log(rounded(result.metrics));
      } finally {
        await target.stop();
      }
    }
  }
}

if (only.has("connect"))
  await runAll(
    "connect",
    plan.connect,
    () => ["convoy", "bare", "bare-1ns"],
    (target, size) => connectScenario(target, size, scripts.loadProcess),
  );
if (only.has("chat"))
  await runAll(
    "chat",
    plan.chat,
    (size) => ["convoy", ...scaledOut("chat", size), "bare"],
    (target, size) => chatScenario(target, size, scripts.loadProcess, { rate: 20, seconds }),
  );
if (only.has("ride"))
  await runAll(
    "ride",
    plan.ride,
    (size) => ["convoy", ...scaledOut("ride", size), "bare"],
    (target, size) =>
      rideScenario(target, size, scripts.loadProcess, {
        seconds,
        stallSeconds: Number(flags["stall-seconds"]),
      }),
  );

if (only.has("turns")) {
  const size = Number(flags["turns-riders"]);
  /** `--targets convoy,bare-in-convoy,…`: the "convoy" process also serves bare Socket.IO (turns only). */
  const hostsBare = onlyTargets?.has("bare-in-convoy") ?? false;
  const startForTurns = async (kind: TargetKind, started: Target[]): Promise<Target> => {
    if (kind === "convoy" && hostsBare) return startConvoy({}, "convoy", nodeArgs, scripts.bareServer);
    if (kind !== "bare-in-convoy") return start(kind, size);
    const hosted = started.find((target) => target.hosted)?.hosted;
    if (!hosted) throw new Error("bare-in-convoy is served by convoy's process: list convoy too");
    return hosted;
  };
  const kinds = (
    ["convoy", "convoy-twin", ...clusterKinds, "bare", "bare-twin", "bare-cluster"] as TargetKind[]
  )
    .filter((kind) => !onlyTargets || onlyTargets.has(kind))
    .concat(hostsBare ? ["bare-in-convoy"] : []);
  const targets: Target[] = [];
  try {
    for (const kind of kinds) targets.push(await startForTurns(kind, targets));
    process.stdout.write(`ride-turns ${size} on ${kinds.join(", ")}… `);
    const turned = await rideTurnsScenario(targets, size, scripts.loadProcess, {
      seconds,
      turns: Number(flags.turns),
    });
    results.push(...turned);
    for (const result of turned) console.log(`\n  ${result.target}: ${rounded(result.metrics)}`);
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
  }
}

if (only.has("hold"))
  await runAll(
    "hold",
    plan.hold,
    () => ["convoy-hold", "bare-hold"],
    (target, size) =>
      holdScenario(target, size, scripts.loadProcess, {
        seconds: Number(flags["hold-seconds"]),
        workers: holdWorkers(size),
      }),
  );

if (only.has("flood"))
  await runAll(
    "flood",
    plan.flood,
    () => ["convoy-flood"],
    (target, size) =>
      floodScenario(target, size, scripts.loadProcess, { loginsPerSecond: Number(flags["flood-rate"]) }),
  );

if (only.has("renew"))
  await runAll(
    "renew",
    plan.renew,
    () => ["convoy-cluster"],
    (target, size) => renewScenario(target, size, scripts.loadProcess),
  );

mkdirSync(flags.out, { recursive: true });
const written = writeReport(flags.out, {
  startedAt,
  finishedAt: new Date(),
  argv: process.argv.slice(2),
  results,
});
console.log(`\nReport: ${written.join(", ")}`);
