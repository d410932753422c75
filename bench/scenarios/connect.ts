// connect: N clients, each on /chat, /presence and /location, joining their
// group's rooms; how fast they get in, and what each costs the server.
import { populate } from "../lib/population.ts";
import type { Target } from "../targets/targets.ts";
import { connectClients, sleep, withFleet, type RunResult } from "./run-context.ts";
import { collectAll } from "../lib/merge.ts";

/** Time for lazy allocations and a GC to settle before memory is read. */
const SETTLE_MS = 3000;

export async function connectScenario(target: Target, size: number, loadScript: string): Promise<RunResult> {
  const namespaces = target.kind === "bare-1ns" ? ["/chat"] : ["/chat", "/presence", "/location"];
  const { clients: specs } = await populate(target, size, 10, { tag: `c${size}` });
  return withFleet(loadScript, size, async (fleet) => {
    await sleep(SETTLE_MS);
    const before = target.usage();
    await fleet.all({ cmd: "reset" });
    const result = await connectClients(fleet, target, specs, namespaces);
    await sleep(SETTLE_MS);
    const after = target.usage();
    const load = await collectAll(fleet);
    await fleet.all({ cmd: "close" });
    return {
      scenario: "connect",
      size,
      target: target.kind,
      metrics: {
        connectionsPerSecond: result.connected / result.seconds,
        failed: result.failed + load.dropped,
        serverCpuMsPerConnection: (after.cpuMs - before.cpuMs) / result.connected,
        serverRssKbPerConnection: (after.rssKb - before.rssKb) / result.connected,
        serverRssMb: after.rssKb / 1024,
        loadCpuMs: load.loadCpuMs,
      },
    };
  });
}
