// Redis Cluster connections for redis.ts (REDIS_CLUSTER_NODES), and what the
// `redis` client does not do by itself: follow a failover. It asks for the
// slot layout again only on a MOVED or ASK reply, and the slots of a master
// that died never answer at all, so commands for them would fail forever.
import { createCluster, type RedisClientOptions } from "redis";
import type { Logger } from "./logger.ts";
import type { Replication } from "./stores/redis/replication.ts";

export type ClusterClient = ReturnType<typeof createCluster>;
type PubSubListener = Parameters<ClusterClient["sSubscribe"]>[1];

/** How often a cluster with a master out of reach asks for the slot layout until it is whole again. */
const REDISCOVER_EVERY_MS = 500;

export function createClusterClient(
  nodes: readonly string[],
  defaults: Partial<RedisClientOptions>,
  role: string,
  logger: Logger,
): ClusterClient {
  const cluster = createCluster({
    rootNodes: nodes.map((url) => ({ url })),
    defaults,
  });
  followFailovers(cluster, role, logger);
  return cluster;
}

/**
 * When a node's connection fails, asks for the slot layout every
 * REDISCOVER_EVERY_MS until every master answers again: a replica promoted in
 * the meantime takes the dead master's place. The sharded subscriptions the
 * dead master's connection held are made again on whichever master serves
 * their slots now.
 */
function followFailovers(cluster: ClusterClient, role: string, logger: Logger): void {
  const down = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  /** Subscriptions of connections that were dropped, to be made again (each once: a listener twice hears twice). */
  const orphaned: Array<{ channel: string; listener: PubSubListener; buffers: boolean }> = [];

  // Without an error listener a lost connection would crash the process.
  cluster.on("error", (err: Error) =>
    logger.warn({ role, err: err.message }, "redis cluster: no node answers"),
  );
  cluster.on("node-error", (err: Error, node: { host: string; port: number }) => {
    const address = `${node.host}:${node.port}`;
    if (!down.has(address)) logger.warn({ role, node: address, err: err.message }, "redis node lost");
    down.add(address);
    schedule();
  });
  cluster.on("node-ready", (node: { host: string; port: number }) => {
    const address = `${node.host}:${node.port}`;
    if (down.delete(address)) logger.info({ role, node: address }, "redis node back");
  });

  function schedule() {
    // unref: a closing process does not wait for the next try.
    timer ??= setTimeout(() => void repair(), REDISCOVER_EVERY_MS).unref();
  }
  const whole = () =>
    cluster.masters.every(
      (master) => master.client?.isReady !== false && master.pubSub?.client.isReady !== false,
    );

  async function repair() {
    timer = null;
    if (!cluster.isOpen) return;
    try {
      if (!whole()) {
        const before = new Map(
          cluster.masters.map((master) => {
            const listeners = master.pubSub?.client.getPubSubListeners("SHARDED");
            return [master, listeners && new Map(listeners)];
          }),
        );
        const start =
          cluster.masters.find((master) => master.client?.isReady)?.client ?? cluster.masters[0]?.client;
        if (start) await cluster._slots.rediscover(start);
        for (const [master, listeners] of before) {
          if (cluster.masters.includes(master) || !listeners) continue;
          for (const [channel, { buffers, strings }] of listeners) {
            for (const listener of buffers) orphaned.push({ channel, listener, buffers: true });
            for (const listener of strings) orphaned.push({ channel, listener, buffers: false });
          }
        }
        if (before.size > 0 && [...before.keys()].some((master) => !cluster.masters.includes(master))) {
          logger.info(
            { role, masters: cluster.masters.map((m) => m.address) },
            "redis cluster: new slot layout",
          );
        }
      }
      while (orphaned.length > 0) {
        const { channel, listener, buffers } = orphaned[0]!;
        await cluster.sSubscribe(channel, listener, buffers);
        orphaned.shift();
      }
    } catch (err) {
      logger.debug(
        { role, err: err instanceof Error ? err.message : String(err) },
        "redis cluster: not whole yet",
      );
    }
    if (cluster.isOpen && (!whole() || orphaned.length > 0)) schedule();
  }
}

/** The cluster slot of a key: CRC16 (XMODEM) of its hash tag, or of the whole key without one. */
export function keySlot(key: string): number {
  const open = key.indexOf("{");
  const close = open === -1 ? -1 : key.indexOf("}", open + 1);
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(hashed)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

/** How long a master found without replicas is written to without WAIT before it is asked again. */
const RECHECK_REPLICAS_MS = 2000;

type NodeClient = Awaited<ReturnType<ClusterClient["nodeClient"]>>;

/**
 * WAIT for `replicas` replicas, on the very connection to each key's master
 * that carried the write (WAIT counts that connection's writes; after a
 * failover that connection is gone and the write fails, rather than asking the
 * new master about writes it never saw). Confirmations that arrive while a
 * WAIT is under way share the next one. A master with fewer replicas connected
 * (its replica took over from it, or is down) cannot lose a write to a
 * failover: its writes rest on it alone, and it is asked again every
 * RECHECK_REPLICAS_MS; each master is asked once when first seen. A replica
 * that is connected but does not answer within `timeoutMs` fails the write.
 * WAIT holds the connection: every command this node sends to that master
 * waits behind it.
 */
export function waitForReplicas(
  cluster: ClusterClient,
  replicas: number,
  timeoutMs: number,
  logger: Logger,
): Replication {
  /** Master address → until when it is taken for one without enough replicas. */
  const alone = new Map<string, number>();
  /** Per master: how many replicas it had when first asked. */
  const firstLooks = new WeakMap<object, Promise<number>>();
  /** Per connection: the WAIT under way, and the one queued behind it. */
  const rounds = new WeakMap<NodeClient, { sent: Promise<number>; queued: Promise<number> | null }>();

  const connectedReplicas = async (client: NodeClient) => {
    const info = await client.sendCommand<string>(["INFO", "replication"]);
    return Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0);
  };
  function startRound(client: NodeClient): Promise<number> {
    const sent = client.sendCommand<number>(["WAIT", String(replicas), String(timeoutMs)]);
    const round = { sent, queued: null };
    rounds.set(client, round);
    const done = () => {
      if (rounds.get(client) === round) rounds.delete(client);
    };
    sent.then(done, done);
    return sent;
  }
  function waitOn(client: NodeClient): Promise<number> {
    const round = rounds.get(client);
    if (!round) return startRound(client);
    // The WAIT under way may have been sent before this write: the next one covers it.
    const next = () => startRound(client);
    return (round.queued ??= round.sent.then(next, next));
  }

  const markAlone = (address: string) => {
    if (!alone.has(address)) {
      logger.warn(
        { master: address, replicas },
        "redis master without enough replicas: durable writes rest on it alone",
      );
    }
    alone.set(address, Date.now() + RECHECK_REPLICAS_MS);
  };

  async function confirm(key: string): Promise<void> {
    const master = cluster.slots[keySlot(key)]?.master;
    if (!master) throw new Error(`no master for ${key}`);
    const client = await cluster.nodeClient(master);
    const until = alone.get(master.address);
    if (until !== undefined && Date.now() < until) return;
    if (until !== undefined || !firstLooks.has(master)) {
      // A master not seen before (a replica just promoted has none of its own yet), or found
      // alone before: ask first, so that its writes do not each wait `timeoutMs` for nobody.
      if (until !== undefined) firstLooks.delete(master);
      let look = firstLooks.get(master);
      if (!look) firstLooks.set(master, (look = connectedReplicas(client)));
      if ((await look) < replicas) return markAlone(master.address);
      if (alone.delete(master.address)) {
        logger.info(
          { master: master.address },
          "redis master has its replicas again: durable writes wait for them",
        );
      }
    }
    const acked = await waitOn(client);
    if (acked >= replicas) return;
    if ((await connectedReplicas(client)) < replicas) return markAlone(master.address);
    throw new Error(`written, but ${acked} of ${replicas} replicas confirmed it within ${timeoutMs} ms`);
  }

  return {
    async confirm(...keys) {
      await Promise.all(keys.map(confirm));
    },
  };
}
