// Loaded into a server under test with `node --import` (`npm run bench -- --gc-log`):
// once a second it writes one line to stderr with the server's CPU, event-loop
// delay and garbage collections by kind, so a latency tail can be matched to a
// GC pause or to a busy second, and counts the socket writes the process made
// (a server that wrote more often per delivery would show it here). Only the
// server reads it; it sends nothing.
import { Socket } from "node:net";
import {
  constants,
  monitorEventLoopDelay,
  PerformanceObserver,
  type PerformanceEntry,
} from "node:perf_hooks";

// The target's kind, and the pid: a cluster's workers inherit `--import` and log too.
const tag = `${process.env.BENCH_TARGET ?? "server"} ${process.pid}`;
const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "scavenge",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "mark-compact",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental marking",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weak callbacks",
};

type Tally = { count: number; ms: number; maxMs: number };
let second = new Map<string, Tally>();
const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();

new PerformanceObserver((list) => {
  for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    const kind = KINDS[entry.detail?.kind ?? 0] ?? "other";
    const tally = second.get(kind) ?? { count: 0, ms: 0, maxMs: 0 };
    tally.count++;
    tally.ms += entry.duration;
    tally.maxMs = Math.max(tally.maxMs, entry.duration);
    second.set(kind, tally);
  }
}).observe({ entryTypes: ["gc"] });

/**
 * Every socket write reaches the kernel through `_writeGeneric` (one `write`,
 * or one `writev` of several buffers): counted here, with the buffers.
 */
type WriteGeneric = (this: Socket, writev: boolean, data: unknown, ...rest: unknown[]) => unknown;
const socketProto = Socket.prototype as unknown as { _writeGeneric: WriteGeneric };
const writeGeneric = socketProto._writeGeneric;
let writes = 0;
let buffers = 0;
// A private method: a Node without it logs no writes rather than failing every write.
const countsWrites = typeof writeGeneric === "function";
if (countsWrites)
  socketProto._writeGeneric = function (writev, data, ...rest) {
    writes++;
    buffers += writev && Array.isArray(data) ? data.length : 1;
    return writeGeneric.call(this, writev, data, ...rest);
  };

const startedAt = Date.now();
let cpuBefore = process.cpuUsage();
setInterval(() => {
  const cpu = process.cpuUsage(cpuBefore);
  cpuBefore = process.cpuUsage();
  const gcs = [...second]
    .map(([kind, t]) => `${kind} ${t.count}× ${t.ms.toFixed(0)} ms (max ${t.maxMs.toFixed(1)})`)
    .join(", ");
  process.stderr.write(
    `[${tag} ${((Date.now() - startedAt) / 1000).toFixed(0)}s] cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms` +
      ` · loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} max ${(delay.max / 1e6).toFixed(1)} ms` +
      (countsWrites ? ` · socket writes ${writes} (${buffers} buffers)` : "") +
      ` · heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB · ${gcs || "no GC"}\n`,
  );
  delay.reset();
  writes = 0;
  buffers = 0;
  second = new Map();
}, 1000).unref();
