// flood: legitimate clients connect while a botnet tries 400 logins a second
// with random names, each from another address (so per-address limits do not
// stop it: the password-hashing queue must). Convoy only, at its real password
// cost. The figure is the legitimate handshake p99, with and without the flood.
import { randomBytes } from "node:crypto";
import { collectAll } from "../lib/merge.ts";
import { populate } from "../lib/population.ts";
import type { Target } from "../targets/targets.ts";
import { connectClients, sleep, withFleet, type RunResult } from "./run-context.ts";

const NAMESPACES = ["/chat", "/presence", "/location"];
/** Clients per user: within the sockets-per-user quota (3 sockets each). */
const CLIENTS_PER_USER = 5;
/** Let the flood reach its pace before the clients connect. */
const WARM_UP_MS = 2000;

interface FloodTally {
  sent: number;
  refused: number;
  rejectedCredentials: number;
  otherStatus: number;
  failed: number;
}

/** `perSecond` logins, each with a random username, password and X-Forwarded-For, until stopped. */
function startFlood(url: string, perSecond: number) {
  const tally: FloodTally = { sent: 0, refused: 0, rejectedCredentials: 0, otherStatus: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();
  const TICK_MS = 25;
  const perTick = (perSecond * TICK_MS) / 1000;
  let owed = 0;
  const login = async () => {
    tally.sent++;
    const address = `10.${randomBytes(3).join(".")}`;
    try {
      const res = await fetch(`${url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": address },
        body: JSON.stringify({
          username: `bot_${randomBytes(6).toString("hex")}`,
          password: randomBytes(12).toString("hex"),
        }),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (res.status === 429) tally.refused++;
      else if (res.status === 401) tally.rejectedCredentials++;
      else tally.otherStatus++;
    } catch {
      tally.failed++;
    }
  };
  const timer = setInterval(() => {
    for (owed += perTick; owed >= 1; owed--) {
      const attempt = login();
      inFlight.add(attempt);
      void attempt.finally(() => inFlight.delete(attempt));
    }
  }, TICK_MS);
  return {
    tally,
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}

export async function floodScenario(
  target: Target,
  size: number,
  loadScript: string,
  options: { loginsPerSecond: number },
): Promise<RunResult> {
  const users = await populate(target, Math.ceil(size / CLIENTS_PER_USER), 10, { tag: `f${size}` });
  const specs = Array.from({ length: size }, (_, i) => users.clients[i % users.clients.length]!);

  /** Connects every client, reads the handshake p99 (ms), closes them again. */
  const handshakes = () =>
    withFleet(loadScript, size, async (fleet) => {
      await fleet.all({ cmd: "reset" });
      const result = await connectClients(fleet, target, specs, NAMESPACES);
      const load = await collectAll(fleet);
      await fleet.all({ cmd: "close" });
      return {
        p99Ms: load.latency.getValueAtPercentile(99) / 1000,
        p50Ms: load.latency.getValueAtPercentile(50) / 1000,
        failed: result.failed + load.dropped,
      };
    });

  const quiet = await handshakes();
  const flood = startFlood(target.url, options.loginsPerSecond);
  await sleep(WARM_UP_MS);
  const before = { ...target.usage(), at: performance.now() };
  const flooded = await handshakes();
  const after = { ...target.usage(), at: performance.now() };
  await flood.stop();
  const { tally } = flood;
  return {
    scenario: "flood",
    size,
    target: target.kind,
    metrics: {
      handshakeP99MsQuiet: quiet.p99Ms,
      handshakeP99MsFlooded: flooded.p99Ms,
      p99Ratio: flooded.p99Ms / quiet.p99Ms,
      handshakeP50MsQuiet: quiet.p50Ms,
      handshakeP50MsFlooded: flooded.p50Ms,
      failed: quiet.failed + flooded.failed,
      floodLogins: tally.sent,
      floodRefused429: tally.refused,
      floodAnswered401: tally.rejectedCredentials,
      floodOtherAnswers: tally.otherStatus + tally.failed,
      serverCpuPercentFlooded: ((after.cpuMs - before.cpuMs) / (after.at - before.at)) * 100,
      serverRssMbGrowthFlooded: (after.rssKb - before.rssKb) / 1024,
    },
  };
}
