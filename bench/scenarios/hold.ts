// hold: many clients at once, each on /chat, /presence and /location in its
// group's rooms, held for a while: none may fail to connect nor drop. More
// clients than one process may open files for (20,000 here), so the server
// runs as a cluster of workers and the clients come from several load processes.
import { collectAll } from "../lib/merge.ts";
import { logInAgain, populate } from "../lib/population.ts";
import type { Target } from "../targets/targets.ts";
import { connectClients, sleep, withFleet, type RunResult } from "./run-context.ts";

const NAMESPACES = ["/chat", "/presence", "/location"];

/** The server's own count of connected sockets, summed over namespaces and workers. */
async function connectedSockets(target: Target): Promise<number> {
  const text = await (await fetch(`${target.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n"))
    if (line.startsWith("convoy_connected_sockets")) sum += Number(line.split(" ").at(-1));
  return sum;
}

export async function holdScenario(
  target: Target,
  size: number,
  loadScript: string,
  options: { seconds: number; workers: number },
): Promise<RunResult> {
  const idle = target.usage();
  const tag = `h${size}`;
  const { clients: specs } = await populate(target, size, 10, { tag });
  return withFleet(loadScript, size, async (fleet) => {
    // Registering 100,000 users takes longer than a token lives; not counted as connecting.
    await logInAgain(target, specs, tag);
    const before = target.usage();
    const redisBefore = target.redisUsage?.();
    await fleet.all({ cmd: "reset" });
    // Paced, 16 at a time per load process: at 64 (576 in flight for 221
    // connections/s, ~2.6 s each in the queue) 7 of 100,000 clients were
    // refused a join (a run before the load recorded why). The server, not
    // the clients, sets the rate either way.
    const result = await connectClients(fleet, target, specs, NAMESPACES, 16);
    const connected = target.usage();
    await sleep(options.seconds * 1000);
    const held = await collectAll(fleet);
    // Bare Socket.IO has no such count.
    const sockets: Record<string, number> = target.convoy
      ? { serverSockets: await connectedSockets(target) }
      : {};
    const after = target.usage();
    const redisAfter = target.redisUsage?.();
    const redis: Record<string, number> =
      redisBefore && redisAfter
        ? {
            redisRssMb: redisAfter.rssKb / 1024,
            redisRssKbPerConnection: (redisAfter.rssKb - redisBefore.rssKb) / result.connected,
          }
        : {};
    await fleet.all({ cmd: "close" });
    return {
      scenario: "hold",
      size,
      target: target.kind,
      metrics: {
        workers: options.workers,
        loadProcesses: fleet.size,
        connectionsPerSecond: result.connected / result.seconds,
        failed: result.failed,
        droppedWhileHeld: held.dropped,
        heldSeconds: options.seconds,
        ...sockets,
        serverCpuMsPerConnection: (connected.cpuMs - before.cpuMs) / result.connected,
        serverRssKbPerConnection: (after.rssKb - before.rssKb) / result.connected,
        serverRssMb: after.rssKb / 1024,
        serverRssKbPerClientFromIdle: (after.rssKb - idle.rssKb) / result.connected,
        ...redis,
        loadCpuMs: held.loadCpuMs,
      },
    };
  });
}
