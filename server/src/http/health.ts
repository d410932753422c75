import { Router } from "express";
import type { Deps } from "../deps.ts";
import { requireMetricsAccess } from "./metrics-access.ts";

export function healthRouter(deps: Deps, options: { metricsToken: string | null }): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const ready = await deps.ready();
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "unavailable" });
  });
  router.get("/metrics", requireMetricsAccess(options.metricsToken), async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metricsText());
  });
  return router;
}
