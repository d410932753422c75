// Clustered mode's Redis connections: one for the stores, a pair for the
// Socket.IO adapter (sharded Pub/Sub, Redis 7+). Commands fail fast while Redis
// is away instead of queueing, so acks still answer and local broadcasts still
// go out; the clients reconnect (and resubscribe) by themselves.
import { createClient } from "redis";
import type { Logger } from "./logger.ts";
import type { RedisClient } from "./stores/redis/client.ts";

export interface RedisConnections {
  store: RedisClient;
  pub: RedisClient;
  sub: RedisClient;
  /** Resolves once every subscription made so far on `sub` is active. */
  subscriptionsActive(): Promise<void>;
  close(): Promise<void>;
}

export async function connectRedis(url: string, logger: Logger): Promise<RedisConnections> {
  const store = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000), connectTimeout: 5000 },
  });
  const pub = store.duplicate();
  const sub = store.duplicate();
  for (const [role, client] of [
    ["store", store],
    ["pub", pub],
    ["sub", sub],
  ] as const) {
    // Without an error listener a lost connection would crash the process.
    let down = false;
    client.on("error", (err: Error) => {
      if (!down) logger.warn({ role, err: err.message }, "redis connection lost");
      down = true;
    });
    client.on("ready", () => {
      if (down) logger.info({ role }, "redis connection back");
      down = false;
    });
  }
  await Promise.all([store.connect(), pub.connect(), sub.connect()]);
  return {
    store,
    pub,
    sub,
    async subscriptionsActive() {
      // One connection answers in order: when this subscription is confirmed, the earlier ones are too.
      const probe = `convoy-probe:${process.pid}:${Date.now()}`;
      await sub.sSubscribe(probe, () => {});
      await sub.sUnsubscribe(probe);
    },
    async close() {
      await Promise.allSettled([store.close(), pub.close(), sub.close()]);
    },
  };
}
