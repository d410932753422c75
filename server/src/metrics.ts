// Prometheus instruments, one registry per app so several apps can share a process (tests).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Namespace } from "socket.io";

/**
 * A per-event counter for the hot paths (every position, every broadcast):
 * prom-client hashes the label set on each `inc`, so counts are kept as plain
 * numbers here and handed to prom-client when /metrics is scraped.
 */
function createTallies<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]) {
  const tallies = new Map<string, { labels: Record<L, string>; count: number }>();
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const tally of tallies.values()) {
        if (tally.count > 0) this.inc(tally.labels, tally.count);
        tally.count = 0;
      }
    },
  });
  return {
    /** The tally of one label set; `count++` on it is all a hot path pays. */
    of(labels: Record<L, string>) {
      const key = labelNames.map((label) => labels[label]).join("\u0000");
      let tally = tallies.get(key);
      if (!tally) tallies.set(key, (tally = { labels, count: 0 }));
      return tally;
    },
  };
}

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const namespaces = new Map<string, Namespace>();

  new Gauge({
    name: "convoy_connected_sockets",
    help: "Sockets connected to this process, per namespace",
    labelNames: ["namespace"],
    registers: [registry],
    collect() {
      for (const [name, nsp] of namespaces) this.set({ namespace: name }, nsp.sockets.size);
    },
  });
  const received = createTallies(
    registry,
    "convoy_events_received_total",
    "Client events received, per namespace and event",
    ["namespace", "event"],
  );
  const sent = createTallies(
    registry,
    "convoy_events_sent_total",
    "Server events emitted (a room broadcast counts once), per namespace and event",
    ["namespace", "event"],
  );
  const crossNodeReceived = createTallies(
    registry,
    "convoy_cross_node_messages_received_total",
    "Messages this node received from the Redis channels it hears (clustered mode), per namespace",
    ["namespace"],
  );
  const crossNodeDropped = createTallies(
    registry,
    "convoy_cross_node_messages_dropped_total",
    "Of those, the ones that reached no socket here: own (this node's, heard back) or no-local-sockets",
    ["namespace", "reason"],
  );
  const handlerSeconds = new Histogram({
    name: "convoy_handler_duration_seconds",
    help: "Time from receiving a client event to answering its ack (events sent with an ack)",
    labelNames: ["namespace", "event"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const rejections = new Counter({
    name: "convoy_rejections_total",
    help: "Client events and handshakes refused, per namespace, event and error code",
    labelNames: ["namespace", "event", "code"],
    registers: [registry],
  });

  return {
    registry,
    trackNamespace(nsp: Namespace) {
      namespaces.set(nsp.name, nsp);
    },
    /** Instruments for one event, labelled once rather than per call. */
    forEvent(namespace: string, event: string) {
      return {
        received: received.of({ namespace, event }),
        duration: handlerSeconds.labels(namespace, event),
        rejected: (code: string) => rejections.inc({ namespace, event, code }),
      };
    },
    /** The count of one server event's emits: `count++` it per emit. */
    sentTally: (namespace: string, event: string) => sent.of({ namespace, event }),
    /** The cross-node message counts the Redis adapter keeps. */
    crossNode: {
      received: (namespace: string) => crossNodeReceived.of({ namespace }),
      dropped: (namespace: string, reason: string) => crossNodeDropped.of({ namespace, reason }),
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
