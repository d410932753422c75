// Prometheus instruments, one registry per app so several apps can share a process (tests).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Namespace } from "socket.io";

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
  const eventsIn = new Counter({
    name: "convoy_events_received_total",
    help: "Client events received, per namespace and event",
    labelNames: ["namespace", "event"],
    registers: [registry],
  });
  const eventsOut = new Counter({
    name: "convoy_events_sent_total",
    help: "Server events emitted (a room broadcast counts once), per namespace and event",
    labelNames: ["namespace", "event"],
    registers: [registry],
  });
  const handlerSeconds = new Histogram({
    name: "convoy_handler_duration_seconds",
    help: "Time from receiving a client event to answering its ack",
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
        received: eventsIn.labels(namespace, event),
        duration: handlerSeconds.labels(namespace, event),
        rejected: (code: string) => rejections.inc({ namespace, event, code }),
      };
    },
    sent(namespace: string, event: string) {
      eventsOut.inc({ namespace, event });
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
