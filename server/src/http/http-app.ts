// The Express app: security headers on everything, the JSON API under /api,
// health and metrics, and the browser app.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { LIMITS, type ClientConfig } from "@convoy/shared";
import cors from "cors";
import express, { type Express } from "express";
import type { Deps } from "../deps.ts";
import type { TrustProxy } from "../guards/client-address.ts";
import { authRouter } from "./auth.ts";
import { errorHandler, notFound } from "./errors.ts";
import { groupsRouter } from "./groups.ts";
import { healthRouter } from "./health.ts";
import { securityHeaders } from "./security-headers.ts";

export function createHttpApp(
  deps: Deps,
  options: {
    corsOrigins: string[] | null;
    clientDir: string | null;
    client: ClientConfig;
    trustProxy: TrustProxy;
    metricsToken: string | null;
  },
): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", options.trustProxy);
  app.use(securityHeaders({ mapTileUrl: options.client.mapTileUrl }));

  const api = express.Router();
  if (options.corsOrigins) api.use(cors({ origin: options.corsOrigins }));
  api.use(express.json({ limit: LIMITS.packetBytes }));
  api.use("/auth", authRouter(deps));
  api.use("/groups", groupsRouter(deps));
  // Not in SPEC §2: deployment settings for the browser app (map tiles).
  api.get("/config", (_req, res) => {
    res.json(options.client);
  });
  api.use(notFound);
  app.use("/api", api);
  app.use(healthRouter(deps, { metricsToken: options.metricsToken }));

  const index = options.clientDir ? join(options.clientDir, "index.html") : null;
  if (options.clientDir && index && existsSync(index)) {
    app.use(express.static(options.clientDir, { index: "index.html" }));
    // The app routes on the client: unknown paths get the page.
    app.get("/{*path}", (_req, res) => res.sendFile(index));
  } else {
    app.get("/", (_req, res) => {
      res.type("text").send("Convoy is running. The browser app is not built: run `npm run build`.\n");
    });
  }

  // Without it Express answers an HTML page (e.g. POST /healthz): errors are JSON everywhere.
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
