// Summarises a V8 .cpuprofile (from `npm run bench -- --profile`): where the
// server's CPU went, by package or source file and by function, self and
// inclusive (a function plus what it called).
//
//   npm run profile -w bench -- results/profiles/CPU.….cpuprofile [--top 25]
//     [--from 17 --to 50]   only the samples in that window, in seconds from the
//                           server's start (e.g. the measured rides, not the sign-ups)
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: "string", default: "25" },
    from: { type: "string", default: "0" },
    to: { type: "string", default: "Infinity" },
  },
});
const top = Number(values.top);
if (positionals.length !== 1)
  throw new Error("usage: profile.ts <file.cpuprofile> [--top N] [--from s] [--to s]");
const profile = JSON.parse(readFileSync(positionals[0]!, "utf8")) as Profile;

/** Where a frame's code lives: an npm package, one of our source files, Node itself, or V8. */
function placeOf(url: string): string {
  if (!url) return "(native / V8)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return "node";
  const ours = /\/(server|shared)\/(?:dist|src)\/(.*)$/.exec(url);
  return ours ? `${ours[1]}/${ours[2]}` : url;
}
const nameOf = (node: ProfileNode) =>
  `${node.callFrame.functionName || "(anonymous)"} ${placeOf(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;

// Self time per node, from the sample timeline (µs since the profile started).
const [fromUs, toUs] = [Number(values.from) * 1e6, Number(values.to) * 1e6];
const selfUs = new Map<number, number>();
let atUs = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  atUs += delta;
  if (atUs >= fromUs && atUs < toUs) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
});
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idleUs = profile.nodes
  .filter((n) => n.callFrame.functionName === "(idle)")
  .reduce((sum, n) => sum + (selfUs.get(n.id) ?? 0), 0);
const busyUs = totalUs - idleUs;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const places = new Map<string, number>();
const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);

/** Walks the call tree; a name already on the stack (recursion) is not counted twice. */
function walk(id: number, stack: Set<string>): number {
  const node = byId.get(id)!;
  const name = nameOf(node);
  const own = selfUs.get(id) ?? 0;
  let sum = own;
  const fresh = !stack.has(name);
  if (fresh) stack.add(name);
  for (const child of node.children ?? []) sum += walk(child, stack);
  if (fresh) {
    stack.delete(name);
    add(inclusive, name, sum);
  }
  if (node.callFrame.functionName !== "(idle)") {
    add(self, name, own);
    add(places, placeOf(node.callFrame.url), own);
  }
  return sum;
}
walk(profile.nodes[0]!.id, new Set());

const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const pct = (us: number) => `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`;
const table = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${ms(us)} ms ${pct(us)}  ${key}`);
};

console.log(`busy ${ms(busyUs)} ms of ${ms(totalUs)} ms sampled (idle ${ms(idleUs)} ms); % of busy`);
table("self time by place", places);
table("self time by function", self);
inclusive.delete(nameOf(profile.nodes[0]!));
table("inclusive time by function", inclusive);
