// Process entry: read config, then run a command (backup, restore) or start one
// node, or (WORKERS > 1) a cluster primary whose workers each start one; stop
// cleanly on SIGTERM/SIGINT.
import cluster from "node:cluster";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createApp } from "./app.ts";
import { clusterMetricsText, runPrimary, serveAsWorker } from "./cluster.ts";
import { runCommand } from "./commands.ts";
import { loadConfig } from "./config.ts";
import { StartupError } from "./errors.ts";
import { createLogger } from "./logger.ts";

const SHUTDOWN_DEADLINE_MS = 10_000;
const defaultClientDir = fileURLToPath(new URL("../../client/dist", import.meta.url));

async function main(): Promise<void> {
  const config = loadConfig(process.env, defaultClientDir);
  if (await runCommand(process.argv.slice(2), config)) return;
  const logger = createLogger(config.logLevel);
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config, logger);

  const worker = cluster.isWorker;
  const app = await createApp(config, { logger, ...(worker ? { metricsText: clusterMetricsText } : {}) });
  if (worker) serveAsWorker(app);
  else {
    app.httpServer.once("error", (err: NodeJS.ErrnoException) => {
      logger.fatal({ err: err.message, code: err.code }, `cannot listen on ${config.host}:${config.port}`);
      process.exit(1);
    });
    app.httpServer.listen(config.port, config.host, () => {
      const { port } = app.httpServer.address() as AddressInfo;
      logger.info(
        {
          url: `http://${config.host}:${port}/`,
          mode: config.redisUrl ? "redis" : config.redisClusterNodes ? "redis-cluster" : "embedded",
        },
        "Convoy is listening",
      );
    });
  }

  let stopping = false;
  const stop = (signal: string) => {
    // Ctrl-C reaches a cluster's workers twice: from the terminal and from the primary.
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    setTimeout(() => {
      // What still holds the process (sockets, timers…), to tell why.
      const holding = process.getActiveResourcesInfo().reduce<Record<string, number>>((counts, kind) => {
        counts[kind] = (counts[kind] ?? 0) + 1;
        return counts;
      }, {});
      logger.error({ holding }, `shutdown did not finish within ${SHUTDOWN_DEADLINE_MS} ms`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err: unknown) => {
  // A startup problem is the operator's to fix: one line, no stack.
  if (err instanceof StartupError) console.error(`convoy: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
