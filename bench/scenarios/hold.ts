// hold: many clients at once, each on /chat, /presence and /location in its
// group's rooms, held for a while: none may fail to connect nor drop. More
// clients than one process may open files for (20,000 here), so the server
// runs as a cluster of workers and the clients come from several load processes.
import { collectAll } from "../lib/merge.ts";
import { populate } from "../lib/population.ts";
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

/**
 * Users are registered and connected a wave at a time: a wave's tokens are
 * minutes old when it connects (they live 15), as a real population's are.
 * Registering 100,000 users takes longer than a token lives, and one login
 * wave before connecting made tokens expire, and renew, all together (or
 * expire before their turn: docs/scaling.md). Only the connect phases are
 * timed and counted.
 */
const WAVE = 10_000;

export async function holdScenario(
  target: Target,
  size: number,
  loadScript: string,
  options: { seconds: number; workers: number },
): Promise<RunResult> {
  const idle = target.usage();
  const tag = `h${size}`;
  return withFleet(loadScript, size, async (fleet) => {
    await fleet.all({ cmd: "reset" });
    const result = { connected: 0, failed: 0, seconds: 0 };
    let connectCpuMs = 0;
    let before: ReturnType<Target["usage"]> | undefined;
    /** Redis grows with the users registered between waves too: only the connect phases count. */
    let redisConnectKb = 0;
    for (let first = 0, wave = 0; first < size; first += WAVE, wave++) {
      // Group sizes of 10 divide a wave: no group is split over two.
      const { clients } = await populate(target, Math.min(WAVE, size - first), 10, { tag: `${tag}w${wave}` });
      const start = target.usage();
      before ??= start;
      const redisStart = target.redisUsage?.();
      // Paced, 16 at a time per load process: at 64 (576 in flight for 221
      // connections/s, ~2.6 s each in the queue) 7 of 100,000 clients were
      // refused a join (a run before the load recorded why). The server, not
      // the clients, sets the rate either way.
      const waveResult = await connectClients(fleet, target, clients, NAMESPACES, 16);
      connectCpuMs += target.usage().cpuMs - start.cpuMs;
      if (redisStart) redisConnectKb += target.redisUsage!().rssKb - redisStart.rssKb;
      result.connected += waveResult.connected;
      result.failed += waveResult.failed;
      result.seconds += waveResult.seconds;
      console.log(
        `  ${target.kind}: wave ${wave}: ${waveResult.connected} connected at ${(waveResult.connected / waveResult.seconds).toFixed(0)}/s, ${waveResult.failed} failed`,
      );
    }
    await sleep(options.seconds * 1000);
    const held = await collectAll(fleet);
    // Bare Socket.IO has no such count.
    const sockets: Record<string, number> = target.convoy
      ? { serverSockets: await connectedSockets(target) }
      : {};
    const after = target.usage();
    const redisAfter = target.redisUsage?.();
    const redis: Record<string, number> = redisAfter
      ? {
          redisRssMb: redisAfter.rssKb / 1024,
          redisRssKbPerConnection: redisConnectKb / result.connected,
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
        serverCpuMsPerConnection: connectCpuMs / result.connected,
        serverRssKbPerConnection: (after.rssKb - (before ?? idle).rssKb) / result.connected,
        serverRssMb: after.rssKb / 1024,
        serverRssKbPerClientFromIdle: (after.rssKb - idle.rssKb) / result.connected,
        ...redis,
        loadCpuMs: held.loadCpuMs,
      },
    };
  });
}
