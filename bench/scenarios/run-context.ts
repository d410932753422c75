// What every scenario run shares: a fresh server, its users, a fleet of load
// processes, and the figures it reports.
import { hostTicks, stealShare } from "../lib/proc.ts";
import { collectAll, type Merged } from "../lib/merge.ts";
import { deal, sourceAddresses, startFleet, type Fleet } from "../load/fleet.ts";
import type { ClientSpec, Reply } from "../load/protocol.ts";
import type { Target, TargetKind } from "../targets/targets.ts";

export interface RunResult {
  scenario: string;
  size: number;
  target: TargetKind;
  metrics: Record<string, number>;
}

export interface Scripts {
  bareServer: string;
  loadProcess: string;
  /** Preloaded into the servers with --gc-log. */
  gcLog: string;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const now = () => performance.timeOrigin + performance.now();

/** Opens every client through the fleet; resolves with how many connected and how long it took. */
export async function connectClients(
  fleet: Fleet,
  target: Target,
  specs: ClientSpec[],
  namespaces: string[],
  /** Clients each load process has connecting at once. */
  concurrency = 64,
): Promise<{ connected: number; failed: number; seconds: number }> {
  const hands = deal(specs, fleet.size);
  const started = now();
  const replies = await fleet.all<Extract<Reply, { cmd: "connect" }>>((i) => ({
    cmd: "connect",
    url: target.url,
    namespaces,
    clients: hands[i]!,
    localAddresses: sourceAddresses(i),
    concurrency,
  }));
  const seconds = (now() - started) / 1000;
  const failed = replies.reduce((sum, r) => sum + r.failed, 0);
  const examples = replies.flatMap((r) => r.errors).slice(0, 5);
  if (failed > 0)
    console.warn(`  ${target.kind}: ${failed} failed to connect, e.g.\n    ${examples.join("\n    ")}`);
  return { connected: replies.reduce((sum, r) => sum + r.connected, 0), failed, seconds };
}

/** Collects until `expected` deliveries arrived (or `ms` passed): the fan-out has drained. */
export async function drain(fleet: Fleet, expected: number, ms: number): Promise<Merged> {
  const deadline = now() + ms;
  for (;;) {
    const merged = await collectAll(fleet);
    if (merged.deliveries >= expected || now() > deadline) return merged;
    await sleep(250);
  }
}

/**
 * One measured phase of a scenario, repeated by chat (bursts) and ride (rides):
 * the load processes' counters reset, `act` run, `expected` deliveries drained,
 * and the server's usage read before and after.
 */
export async function measure<T>(
  fleet: Fleet,
  target: Target,
  act: () => Promise<T>,
  expected: (acted: T) => number,
  drainMs: number,
) {
  await fleet.all({ cmd: "reset" });
  const hostBefore = hostTicks();
  const before = target.usage();
  const acted = await act();
  const merged = await drain(fleet, expected(acted), drainMs);
  return { acted, merged, before, after: target.usage(), steal: stealShare(hostBefore, hostTicks()) };
}

export async function withFleet<T>(
  script: string,
  clients: number,
  work: (fleet: Fleet) => Promise<T>,
): Promise<T> {
  const fleet = startFleet(script, clients);
  try {
    return await work(fleet);
  } finally {
    await fleet.close();
  }
}
