// WORKERS > 1: one port, one primary that hands each connection to a worker
// with @socket.io/sticky (a long-polling session stays on the worker that
// created it, from its first request), re-forks crashed workers, aggregates
// /metrics, and passes SIGTERM on. Every worker is a full node (createApp)
// sharing state through Redis.
import cluster, { type Worker } from "node:cluster";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setupMaster, setupWorker } from "@socket.io/sticky";
import { AggregatorRegistry } from "prom-client";
import type { App } from "./app.ts";
import type { Config } from "./config.ts";
import type { Logger } from "./logger.ts";

const SHUTDOWN_DEADLINE_MS = 10_000;
const METRICS_TIMEOUT_MS = 5_000;

/** IPC messages between the primary and its workers (sticky and prom-client have their own). */
type WorkerMessage =
  | { type: "convoy:ready" }
  | { type: "convoy:metrics-request"; id: number }
  | { type: "convoy:metrics-reply"; id: number; text?: string; error?: string };

export function runPrimary(config: Config, logger: Logger): void {
  const httpServer = createServer();
  // Round-robin, not least-connection: sticky counts a worker's clients only once the worker
  // reports them, so a burst of new connections (a reconnect storm) would all go to one worker.
  setupMaster(httpServer, { loadBalancingMethod: "round-robin" });
  // Buffers must cross IPC as buffers (sticky forwards raw request bytes).
  cluster.setupPrimary({ serialization: "advanced" });
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let listening = false;
  let readyWorkers = 0;

  const listen = () => {
    listening = true;
    httpServer.listen(config.port, config.host, () => {
      const { port } = httpServer.address() as AddressInfo;
      logger.info(
        { url: `http://${config.host}:${port}/`, mode: "cluster", workers: config.workers },
        "Convoy is listening",
      );
    });
  };

  const fork = () => {
    const worker = cluster.fork();
    const openMailbox = holdMailUntilReady(worker);
    worker.on("message", (message: WorkerMessage) => {
      if (message?.type === "convoy:ready") {
        openMailbox();
        logger.info({ pid: worker.process.pid }, "worker ready");
        if (!listening && ++readyWorkers === config.workers) listen();
      } else if (message?.type === "convoy:metrics-request") {
        const reply = (fields: { text: string } | { error: string }) =>
          worker.send({ type: "convoy:metrics-reply", id: message.id, ...fields } satisfies WorkerMessage);
        aggregator.clusterMetrics().then(
          (text) => reply({ text }),
          (err: unknown) => reply({ error: String(err) }),
        );
      }
    });
  };
  for (let i = 0; i < config.workers; i++) fork();
  cluster.on("exit", (worker: Worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, "worker died; starting another");
    fork();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down the cluster");
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    httpServer.close();
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const worker of workers) {
      worker.once("exit", () => --left === 0 && process.exit(0));
      worker.process.kill("SIGTERM");
    }
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

/**
 * Sticky hands a connection to a worker as soon as it is forked (a replacement
 * for a crashed worker takes its turn at once), but a worker still loading its
 * code has no IPC listener yet and a message nobody listens to is lost, with
 * the connection it carries. So everything sent to a worker waits, here in the
 * primary, until the worker says it is ready.
 */
function holdMailUntilReady(worker: Worker): () => void {
  const held: Array<Parameters<Worker["send"]>> = [];
  const send = worker.send.bind(worker) as (...args: Parameters<Worker["send"]>) => boolean;
  worker.send = ((...args: Parameters<Worker["send"]>) => {
    held.push(args);
    return true;
  }) as Worker["send"];
  return () => {
    worker.send = send as Worker["send"];
    for (const args of held.splice(0)) send(...args);
  };
}

/** A worker: a full node that does not listen; the primary hands it connections once it is ready. */
export function serveAsWorker(app: App): void {
  setupWorker(app.io);
  AggregatorRegistry.setRegistries([app.deps.metrics.registry]);
  // Constructing one installs prom-client's listener that answers the primary's metrics requests.
  new AggregatorRegistry();
  process.send?.({ type: "convoy:ready" } satisfies WorkerMessage);
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
