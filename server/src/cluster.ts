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

/** IPC between a worker serving GET /metrics and the primary that aggregates. */
interface MetricsRequest {
  type: "convoy:metrics-request";
  id: number;
}
interface MetricsReply {
  type: "convoy:metrics-reply";
  id: number;
  text: string;
}

export function runPrimary(config: Config, logger: Logger): void {
  const httpServer = createServer();
  setupMaster(httpServer, { loadBalancingMethod: "least-connection" });
  // Buffers must cross IPC as buffers (sticky forwards raw request bytes).
  cluster.setupPrimary({ serialization: "advanced" });
  const aggregator = new AggregatorRegistry();
  let stopping = false;

  const fork = () => {
    const worker = cluster.fork();
    worker.on("message", (message: MetricsRequest) => {
      if (message?.type !== "convoy:metrics-request") return;
      aggregator.clusterMetrics().then(
        (text) => worker.send({ type: "convoy:metrics-reply", id: message.id, text } satisfies MetricsReply),
        (err: unknown) => logger.error({ err }, "aggregating metrics failed"),
      );
    });
  };
  for (let i = 0; i < config.workers; i++) fork();
  cluster.on("exit", (worker: Worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, "worker died; starting another");
    fork();
  });

  httpServer.listen(config.port, config.host, () => {
    const { port } = httpServer.address() as AddressInfo;
    logger.info(
      { url: `http://${config.host}:${port}/`, mode: "cluster", workers: config.workers },
      "Convoy is listening",
    );
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

/** A worker: a full node that does not listen; the primary hands it connections. */
export function serveAsWorker(app: App): void {
  setupWorker(app.io);
  AggregatorRegistry.setRegistries([app.deps.metrics.registry]);
}

/** In a worker, /metrics asks the primary for the whole cluster's figures. */
export function clusterMetricsText(): Promise<string> {
  const id = Math.random();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off("message", onReply);
      reject(new Error("the primary did not answer with metrics"));
    }, 5000);
    const onReply = (message: MetricsReply) => {
      if (message?.type !== "convoy:metrics-reply" || message.id !== id) return;
      clearTimeout(timer);
      process.off("message", onReply);
      resolve(message.text);
    };
    process.on("message", onReply);
    process.send?.({ type: "convoy:metrics-request", id } satisfies MetricsRequest);
  });
}
