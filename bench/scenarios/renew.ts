// renew: what keeping sessions alive costs the server, beside what connecting
// costs. Every client of a held population renews as on `session:expiring`: a
// token refresh over HTTP, then `session:renew` on none, one or all three of
// its namespaces. 100,000 riders on 15-minute tokens renew about 110 times a
// second, so a renewal's CPU is paid all the time (docs/scaling.md). Convoy only.
import { populate } from "../lib/population.ts";
import type { Reply } from "../load/protocol.ts";
import type { Target } from "../targets/targets.ts";
import type { Fleet } from "../load/fleet.ts";
import { connectClients, now, withFleet, type RunResult } from "./run-context.ts";

const NAMESPACES = ["/chat", "/presence", "/location"];
/** Clients renewing at once per load process. */
const CONCURRENCY = 16;

/** Every client of the fleet renews once, sending `session:renew` on `sockets` of its namespaces. */
async function renewEveryClient(fleet: Fleet, sockets: number): Promise<void> {
  const replies = await fleet.all<Extract<Reply, { cmd: "renew" }>>({
    cmd: "renew",
    sockets,
    concurrency: CONCURRENCY,
  });
  const failed = replies.reduce((sum, r) => sum + r.failed, 0);
  if (failed > 0) throw new Error(`${failed} renewals failed, e.g. ${replies.flatMap((r) => r.errors)[0]}`);
}

export async function renewScenario(target: Target, size: number, loadScript: string): Promise<RunResult> {
  const { clients } = await populate(target, size, 10, { tag: `r${size}` });
  return withFleet(loadScript, size, async (fleet) => {
    await fleet.all({ cmd: "reset" });
    let before = target.usage();
    const connected = await connectClients(fleet, target, clients, NAMESPACES, 16);
    if (connected.failed > 0) throw new Error(`${connected.failed} clients failed to connect`);
    const metrics: Record<string, number> = {
      serverCpuMsPerConnection: (target.usage().cpuMs - before.cpuMs) / connected.connected,
      connectionsPerSecond: connected.connected / connected.seconds,
    };
    const rounds = [
      { sockets: 0, cpu: "refreshCpuMsPerClient", rate: "refreshesPerSecond" },
      { sockets: 1, cpu: "renewOneCpuMsPerClient", rate: "renewalsOnePerSecond" },
      { sockets: 3, cpu: "renewAllCpuMsPerClient", rate: "renewalsAllPerSecond" },
    ];
    // Unmeasured: the first round paid for the server's warm-up (JIT), 1.17 against 0.86 ms.
    await renewEveryClient(fleet, 3);
    for (const { sockets, cpu, rate } of rounds) {
      before = target.usage();
      const started = now();
      await renewEveryClient(fleet, sockets);
      metrics[cpu] = (target.usage().cpuMs - before.cpuMs) / size;
      metrics[rate] = size / ((now() - started) / 1000);
    }
    await fleet.all({ cmd: "close" });
    return { scenario: "renew", size, target: target.kind, metrics };
  });
}
