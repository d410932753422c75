// Environment → typed config, parsed once at start. Every bad key is reported
// in one error so a misconfigured deployment fails fast with the whole story.
import type { ClientConfig } from "@convoy/shared";
import * as v from "valibot";
import { StartupError } from "./errors.ts";
import { parseTrustProxy, type TrustProxy } from "./guards/client-address.ts";
import type { Limits } from "./limits.ts";
import { tileServerSource } from "./http/security-headers.ts";
import { DEFAULT_PASSWORD_COST, MAX_PASSWORD_COST } from "./services/passwords.ts";
import { DEFAULT_POSITION_WINDOW_MS } from "./stores/redis/locations.ts";

export interface Config {
  port: number;
  host: string;
  /** Unset (and no redisClusterNodes): embedded mode (in-process adapter, SQLite store in dataDir). */
  redisUrl: string | null;
  /** Seed nodes of a Redis Cluster, instead of redisUrl (REDIS_CLUSTER_NODES); null: none. */
  redisClusterNodes: string[] | null;
  /** On a Redis Cluster: replicas that must have a durable write before it is answered (0: none). */
  redisClusterWaitReplicas: number;
  /** Positions wait this long to leave together (stores/redis/write-window.ts). */
  redisPositionWindowMs: number;
  /** Embedded mode: the folder of the SQLite database; null keeps it in memory (tests). */
  dataDir: string | null;
  workers: number;
  /** HS256 key for access tokens; null in embedded mode: the key kept in the database. */
  jwtSecret: string | null;
  /** null: same origin (and clients without an Origin header) only. */
  corsOrigins: string[] | null;
  logLevel: string;
  /** scrypt's N for new password hashes. */
  passwordCost: number;
  /** Folder with the built browser app; null serves no app. */
  clientDir: string | null;
  /** What the browser app needs to know: where map tiles come from (null: a plain local grid). */
  client: ClientConfig;
  /** Which peers' X-Forwarded-For names the client (TRUST_PROXY). */
  trustProxy: TrustProxy;
  /** Rate limits and quotas the operator set; the rest keep their defaults. */
  limits: Partial<Limits>;
  /** Bearer token for GET /metrics; null: only direct requests from this machine may read it. */
  metricsToken: string | null;
  /** Where an SOS nobody acknowledged within `afterMs` of its raise is POSTed; null: nowhere. */
  sosWebhook: { url: string; afterMs: number } | null;
}

/** The SOS webhook's default wait for an acknowledgement. */
export const DEFAULT_SOS_WEBHOOK_AFTER_MS = 120_000;

/** The rate limits and quotas an operator may set from the environment (README, Security). */
const LIMIT_KEYS = {
  LIMIT_LOGINS_PER_MINUTE: "loginsPerAddressPerMinute",
  LIMIT_LOGIN_FAILURES: "loginFailuresPerUserAndAddress",
  LIMIT_REGISTRATIONS_PER_HOUR: "registrationsPerAddressPerHour",
  LIMIT_HANDSHAKES_PER_MINUTE: "handshakesPerAddressPerMinute",
  LIMIT_EVENTS_PER_SECOND: "eventsPerSocketPerSecond",
  LIMIT_USER_EVENTS_PER_SECOND: "eventsPerUserPerSecond",
  QUOTA_GROUPS_OWNED: "groupsOwnedPerUser",
  QUOTA_GROUP_MEMBERS: "membersPerGroup",
  QUOTA_SOCKETS_PER_USER: "socketsPerUser",
  QUOTA_CONNECTIONS_PER_ADDRESS: "connectionsPerAddress",
  QUOTA_UNAUTHENTICATED_PER_ADDRESS: "unauthenticatedPerAddress",
  QUOTA_UNAUTHENTICATED_PER_NODE: "unauthenticatedPerNode",
} as const satisfies Record<string, keyof Limits>;

const PositiveInteger = v.optional(
  v.pipe(
    v.string(),
    v.regex(/^\d{1,9}$/, "must be a positive integer"),
    v.transform(Number),
    v.minValue(1, "must be at least 1"),
  ),
);

const Port = v.pipe(
  v.string(),
  v.regex(/^\d+$/, "must be an integer"),
  v.transform(Number),
  v.maxValue(65535, "must be at most 65535"),
);

const EnvSchema = v.object({
  PORT: v.optional(Port, "3000"),
  HOST: v.optional(v.pipe(v.string(), v.minLength(1)), "127.0.0.1"),
  REDIS_URL: v.optional(v.pipe(v.string(), v.url("must be a URL like redis://host:6379"))),
  REDIS_CLUSTER_NODES: v.optional(
    v.pipe(
      v.string(),
      v.transform(splitList),
      v.minLength(1, "must name at least one node"),
      v.everyItem(
        (node) => isRedisUrl(node),
        "must be a comma-separated list of URLs like redis://host:6379",
      ),
    ),
  ),
  REDIS_CLUSTER_WAIT_REPLICAS: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,2}$/, "must be a whole number of replicas (0: do not wait)"),
      v.transform(Number),
    ),
    "1",
  ),
  REDIS_POSITION_WINDOW_MS: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, "must be a whole number of milliseconds (0: record each position at once)"),
      v.transform(Number),
      v.maxValue(100, "must be at most 100 ms"),
    ),
    String(DEFAULT_POSITION_WINDOW_MS),
  ),
  DATA_DIR: v.optional(v.pipe(v.string(), v.minLength(1)), "./data"),
  WORKERS: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, "must be a positive integer"),
      v.transform(Number),
      v.minValue(1, "must be at least 1"),
    ),
    "1",
  ),
  JWT_SECRET: v.optional(v.pipe(v.string(), v.minLength(32, "must be at least 32 characters"))),
  CORS_ORIGINS: v.optional(v.string()),
  LOG_LEVEL: v.optional(v.picklist(["fatal", "error", "warn", "info", "debug", "trace", "silent"]), "info"),
  CLIENT_DIR: v.optional(v.string()),
  MAP_TILE_URL: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^https?:\/\/\S*\{z\}\S*\{x\}\S*\{y\}/, "must be a URL template with {z}, {x} and {y}"),
      // The Content Security Policy lets the page load images from this origin only.
      v.check(
        (template) => tileServerSource(template) !== null,
        "the host must be a plain host name, optionally starting with {s}.",
      ),
    ),
  ),
  MAP_ATTRIBUTION: v.optional(v.string()),
  TRUST_PROXY: v.optional(v.string(), "loopback"),
  ...(Object.fromEntries(Object.keys(LIMIT_KEYS).map((key) => [key, PositiveInteger])) as Record<
    keyof typeof LIMIT_KEYS,
    typeof PositiveInteger
  >),
  // Printable ASCII without spaces: it travels in an Authorization header.
  METRICS_TOKEN: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[\x21-\x7e]{16,}$/, "must be at least 16 printable ASCII characters without spaces"),
    ),
  ),
  SOS_WEBHOOK_URL: v.optional(
    v.pipe(
      v.string(),
      v.check((url) => isHttpUrl(url), "must be an http:// or https:// URL"),
    ),
  ),
  SOS_WEBHOOK_AFTER_MS: PositiveInteger,
  // A power of two; below the default only for load tests that register thousands of users.
  PASSWORD_COST: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, `must be a power of two from 1024 to ${MAX_PASSWORD_COST}`),
      v.transform(Number),
      v.check(
        (n) => n >= 1024 && n <= MAX_PASSWORD_COST && (n & (n - 1)) === 0,
        `must be a power of two from 1024 to ${MAX_PASSWORD_COST}`,
      ),
    ),
    String(DEFAULT_PASSWORD_COST),
  ),
});

/** Every environment variable Convoy reads (docs and `.env.example` are checked against it). */
export const CONFIG_KEYS = Object.keys(EnvSchema.entries);

export class ConfigError extends StartupError {
  override name = "ConfigError";
}

export function loadConfig(env: NodeJS.ProcessEnv, defaultClientDir: string | null): Config {
  const parsed = v.safeParse(EnvSchema, env);
  const problems = parsed.success
    ? []
    : parsed.issues.map((issue) => `${v.getDotPath(issue) ?? "env"}: ${issue.message}`);
  if (parsed.success) {
    const { REDIS_URL, REDIS_CLUSTER_NODES, WORKERS, JWT_SECRET } = parsed.output;
    if (REDIS_URL && REDIS_CLUSTER_NODES) {
      problems.push("REDIS_CLUSTER_NODES: set either REDIS_URL or REDIS_CLUSTER_NODES, not both");
    }
    const redis = REDIS_URL ? "REDIS_URL" : REDIS_CLUSTER_NODES ? "REDIS_CLUSTER_NODES" : null;
    if (redis && !JWT_SECRET) problems.push(`JWT_SECRET: required when ${redis} is set`);
    if (WORKERS > 1 && !redis)
      problems.push("WORKERS: more than 1 requires REDIS_URL or REDIS_CLUSTER_NODES");
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  const out = parsed.output;
  return {
    port: out.PORT,
    host: out.HOST,
    redisUrl: out.REDIS_URL ?? null,
    redisClusterNodes: out.REDIS_CLUSTER_NODES ?? null,
    redisClusterWaitReplicas: out.REDIS_CLUSTER_WAIT_REPLICAS,
    redisPositionWindowMs: out.REDIS_POSITION_WINDOW_MS,
    dataDir: out.DATA_DIR,
    workers: out.WORKERS,
    jwtSecret: out.JWT_SECRET ?? null,
    corsOrigins: parseOrigins(out.CORS_ORIGINS),
    logLevel: out.LOG_LEVEL,
    passwordCost: out.PASSWORD_COST,
    clientDir: out.CLIENT_DIR ?? defaultClientDir,
    client: { mapTileUrl: out.MAP_TILE_URL ?? null, mapAttribution: out.MAP_ATTRIBUTION ?? null },
    trustProxy: parseTrustProxy(out.TRUST_PROXY),
    limits: Object.fromEntries(
      Object.entries(LIMIT_KEYS).flatMap(([env, limit]) =>
        out[env as keyof typeof LIMIT_KEYS] === undefined
          ? []
          : [[limit, out[env as keyof typeof LIMIT_KEYS]]],
      ),
    ),
    metricsToken: out.METRICS_TOKEN ?? null,
    sosWebhook: out.SOS_WEBHOOK_URL
      ? { url: out.SOS_WEBHOOK_URL, afterMs: out.SOS_WEBHOOK_AFTER_MS ?? DEFAULT_SOS_WEBHOOK_AFTER_MS }
      : null,
  };
}

function isHttpUrl(text: string): boolean {
  try {
    return /^https?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
}

function isRedisUrl(text: string): boolean {
  try {
    return /^rediss?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** A comma-separated list, each item trimmed, empty ones dropped. */
function splitList(list: string): string[] {
  return list
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

function parseOrigins(list: string | undefined): string[] | null {
  const origins = (list ?? "")
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter(Boolean);
  return origins.length > 0 ? origins : null;
}
