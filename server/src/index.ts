// What other workspaces (tests, benchmarks) may import from the server.
export { createApp, type App, type AppOptions } from "./app.ts";
export { CONFIG_KEYS, loadConfig, type Config } from "./config.ts";
export { DEFAULT_LIMITS, type Limits } from "./limits.ts";
export type { Clock } from "./clock.ts";
