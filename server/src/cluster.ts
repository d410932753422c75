// WORKERS > 1: one port, one primary that hands each connection to a worker
// with @socket.io/sticky (a long-polling session stays on the worker that
// created it, from its first request): the worker of the client's group when
// it names one (affinity.ts), else the next in turn. It re-forks crashed
// workers into their place, aggregates
// /metrics, and passes SIGTERM on. Every worker is a full node (createApp)
// sharing state through Redis.
import cluster, { type Worker } from "node:cluster";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setupMaster, setupWorker } from "@socket.io/sticky";
import { AggregatorRegistry } from "prom-client";
import { slotOf, steerStickyConnections } from "./affinity.ts";
import type { App } from "./app.ts";
import type { Config } from "./config.ts";
import type { Logger } from "./logger.ts";
import { guardWorkerMail } from "./worker-mail.ts";

const SHUTDOWN_DEADLINE_MS = 10_000;
const METRICS_TIMEOUT_MS = 5_000;
/** Workers that die before they are ready, in a row, before the primary gives up. */
const MAX_FAILED_STARTS = 8;
/** How long a worker waits for the primary to bind a new session before answering anyway. */
const SESSION_BIND_TIMEOUT_MS = 2_000;

/** IPC messages between the primary and its workers (sticky and prom-client have their own). */
type WorkerMessage =
  | { type: "convoy:ready" }
  | { type: "sticky:connection"; data: string }
  | { type: "convoy:session-bound"; id: string }
  | { type: "convoy:metrics-request"; id: number }
  | { type: "convoy:metrics-reply"; id: number; text?: string; error?: string };

export function runPrimary(config: Config, logger: Logger): void {
  const httpServer = createServer();
  // The mode steerStickyConnections drives (below): it chooses every new connection's worker.
  setupMaster(httpServer, { loadBalancingMethod: "least-connection" });
  // Buffers must cross IPC as buffers (sticky forwards raw request bytes).
  cluster.setupPrimary({ serialization: "advanced" });
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let listening = false;

  const listen = () => {
    listening = true;
    httpServer.once("error", (err: NodeJS.ErrnoException) => {
      logger.fatal({ err: err.message, code: err.code }, `cannot listen on ${config.host}:${config.port}`);
      process.exit(1);
    });
    httpServer.listen(config.port, config.host, () => {
      const { port } = httpServer.address() as AddressInfo;
      logger.info(
        { url: `http://${config.host}:${port}/`, mode: "cluster", workers: config.workers },
        "Convoy is listening",
      );
    });
  };

  const ready = new Set<Worker>();
  let turn = 0;
  /** A ready worker, in turn (for connections a starting worker cannot take yet). */
  const readyWorker = () => [...ready][turn++ % Math.max(ready.size, 1)];
  /** The worker in each place; a group's affinity hashes to a place, which a replacement takes over. */
  const places: Array<Worker | undefined> = [];
  steerStickyConnections(
    httpServer,
    () => Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined),
    (affinity) => {
      const worker = affinity === null ? undefined : places[slotOf(affinity, config.workers)];
      return worker && ready.has(worker) ? worker : readyWorker();
    },
  );
  let failedStarts = 0;

  const fork = (place: number) => {
    const worker = cluster.fork();
    places[place] = worker;
    const mail = guardWorkerMail(worker, readyWorker);
    worker.on("message", (message: WorkerMessage) => {
      switch (message?.type) {
        case "convoy:ready":
          mail.open();
          ready.add(worker);
          failedStarts = 0;
          logger.info({ workerPid: worker.process.pid }, "worker ready");
          if (!listening && ready.size === config.workers) listen();
          break;
        case "sticky:connection":
          // Sticky (listening first) has just bound the session to this worker: let it answer the handshake.
          worker.send({ type: "convoy:session-bound", id: message.data } satisfies WorkerMessage);
          break;
        case "convoy:metrics-request": {
          const reply = (fields: { text: string } | { error: string }) =>
            worker.send({ type: "convoy:metrics-reply", id: message.id, ...fields } satisfies WorkerMessage);
          aggregator.clusterMetrics().then(
            (text) => reply({ text }),
            (err: unknown) => reply({ error: String(err) }),
          );
          break;
        }
        case "convoy:metrics-reply":
        case "convoy:session-bound":
          break; // the primary sends these, it does not receive them
      }
    });
    worker.once("exit", (code, signal) => {
      const wasReady = ready.delete(worker);
      mail.discard();
      if (stopping) return;
      if (!wasReady && !listening) {
        // It cannot start (bad config, Redis refusing…): say so and stop rather than loop.
        logger.fatal({ workerPid: worker.process.pid, code, signal }, "a worker failed to start; stopping");
        process.exit(1);
      }
      failedStarts = wasReady ? 0 : failedStarts + 1;
      if (failedStarts >= MAX_FAILED_STARTS) {
        logger.fatal({ failedStarts }, "workers keep failing to start; stopping");
        process.exit(1);
      }
      const delay = failedStarts === 0 ? 0 : Math.min(100 * 2 ** failedStarts, 10_000);
      logger.error(
        { workerPid: worker.process.pid, code, signal, restartInMs: delay },
        "worker died; starting another",
      );
      setTimeout(() => fork(place), delay);
    });
  };
  for (let place = 0; place < config.workers; place++) fork(place);

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down the cluster");
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    httpServer.close();
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    let left = workers.length;
    let worst = 0;
    if (left === 0) process.exit(0);
    for (const worker of workers) {
      // The cluster succeeds only if every worker drained cleanly.
      worker.once("exit", (code: number | null) => {
        worst = Math.max(worst, code ?? 1);
        if (--left === 0) process.exit(worst);
      });
      worker.process.kill("SIGTERM");
    }
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

/** A worker: a full node that does not listen; the primary hands it connections once it is ready. */
export function serveAsWorker(app: App): void {
  setupWorker(app.io);
  bindSessionsBeforeAnswering(app);
  AggregatorRegistry.setRegistries([app.deps.metrics.registry]);
  // A message to a primary that is gone (it stopped first) fails with EPIPE, emitted on
  // the worker: unheard, it crashed a worker of the 100,000-client bench as it stopped.
  cluster.worker?.on("error", (err) => app.deps.logger.warn({ err }, "a message to the primary failed"));
  // Constructing one installs prom-client's listener that answers the primary's metrics requests.
  new AggregatorRegistry();
  process.send?.({ type: "convoy:ready" } satisfies WorkerMessage);
}

/**
 * Sticky learns which worker owns a session from a message the worker sends
 * once the session exists, and by then the handshake answer is on its way:
 * under load the client's next request can reach the primary first and go to
 * another worker ("Session ID unknown"). So the worker tells the primary
 * while making the id, and answers only once the primary confirmed.
 */
function bindSessionsBeforeAnswering(app: App): void {
  const engine = app.io.engine;
  const makeId = engine.generateId.bind(engine);
  const waiting = new Map<string, () => void>();
  process.on("message", (message: WorkerMessage) => {
    if (message?.type !== "convoy:session-bound") return;
    waiting.get(message.id)?.();
  });
  engine.generateId = async (req) => {
    const id = await makeId(req);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve();
      };
      const timer = setTimeout(done, SESSION_BIND_TIMEOUT_MS);
      waiting.set(id, done);
      process.send?.({ type: "sticky:connection", data: id } satisfies WorkerMessage);
    });
    return id;
  };
}

/** In a worker, /metrics asks the primary for the whole cluster's figures. */
export function clusterMetricsText(): Promise<string> {
  const id = Math.random();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off("message", onReply);
      reject(new Error("the primary did not answer with metrics"));
    }, METRICS_TIMEOUT_MS + 1000);
    const onReply = (message: WorkerMessage) => {
      if (message?.type !== "convoy:metrics-reply" || message.id !== id) return;
      clearTimeout(timer);
      process.off("message", onReply);
      if (message.text !== undefined) resolve(message.text);
      else reject(new Error(message.error ?? "aggregating metrics failed"));
    };
    process.on("message", onReply);
    process.send?.({ type: "convoy:metrics-request", id } satisfies WorkerMessage);
  });
}
