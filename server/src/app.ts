// createApp(config) builds one Convoy node: stores, services, the Express app and
// Socket.IO with its three namespaces. It never listens; main.ts, cluster
// workers and tests all start from here.
import { randomUUID } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { systemClock, type Clock } from "./clock.ts";
import type { Config } from "./config.ts";
import type { Deps } from "./deps.ts";
import { createGuards } from "./guards/index.ts";
import { createHttpApp } from "./http/http-app.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createDomainEvents } from "./services/domain-events.ts";
import { createMetrics } from "./metrics.ts";
import { registerChat } from "./namespaces/chat.ts";
import { positionListeners, registerLocation } from "./namespaces/location.ts";
import { registerPresence } from "./namespaces/presence.ts";
import { registerSos } from "./namespaces/sos.ts";
import { createLatestPerKey } from "./realtime/latest-per-key.ts";
import { secureNamespace } from "./realtime/namespace.ts";
import { createOriginPolicy } from "./realtime/origin.ts";
import { createRoomChannelAdapter, hearsRooms } from "./realtime/room-channel-adapter.ts";
import { hasOwnChannel } from "./realtime/rooms.ts";
import { trackConnections } from "./realtime/connections.ts";
import { createConnectionQuotas } from "./realtime/connection-quotas.ts";
import { closeOversizedPolls } from "./realtime/oversize.ts";
import { closeSessionSockets, watchTokenExpiry } from "./realtime/session-lifetime.ts";
import { watchSlowClients } from "./realtime/slow-clients.ts";
import type { Io } from "./realtime/types.ts";
import { createAccounts } from "./services/accounts.ts";
import { createGroups } from "./services/groups.ts";
import { createDirectMessages } from "./services/direct-messages.ts";
import { createLocations } from "./services/locations.ts";
import { createRides } from "./services/rides.ts";
import { createMessages } from "./services/messages.ts";
import { createPresence } from "./services/presence.ts";
import { createHashingGate } from "./services/hashing-gate.ts";
import { createSessions } from "./services/sessions.ts";
import { createSosService } from "./services/sos.ts";
import { createSosWebhook } from "./services/sos-webhook.ts";
import { createTokenService } from "./services/tokens.ts";
import { openStorage } from "./storage.ts";

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  /** Overrides of the default limits (tests use them to isolate one rule). */
  limits?: Partial<Limits>;
  /** Key prefix in Redis (default "convoy:"), so that several deployments can share one server. */
  redisPrefix?: string;
  /** What GET /metrics serves; a cluster worker asks its primary for every worker's figures. */
  metricsText?: () => Promise<string>;
}

export interface App {
  httpServer: HttpServer;
  io: Io;
  deps: Deps;
  /** Stops accepting, closes every client's transport (stock clients reconnect), stops timers. */
  close(): Promise<void>;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const limits: Limits = { ...DEFAULT_LIMITS, ...config.limits, ...options.limits };
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const storage = await openStorage(config, {
    redisPrefix: options.redisPrefix ?? "convoy:",
    nodeId: randomUUID(),
    messagesPerGroup: limits.messagesPerGroup,
    logger,
  });
  const { stores, redis } = storage;

  let closing = false;
  const tokens = createTokenService(storage.signingKey, limits.tokenTtlMs, clock);
  const events = createDomainEvents();
  const sessions = createSessions(stores.sessions, tokens, events, clock, limits.sessionMaxAgeMs);
  const hashing = createHashingGate(limits.hashesRunning, limits.hashesWaiting);
  const groups = createGroups(stores.groups, stores.users, clock, limits);
  const guards = createGuards(limits, redis?.store ?? null, options.redisPrefix ?? "convoy:");
  const quotas = createConnectionQuotas(limits, config.trustProxy);
  const locations = createLocations(stores.locations, groups, clock, limits.riderStaleMs);
  const deps: Deps = {
    limits,
    clock,
    logger,
    metrics,
    sessions,
    guards,
    quotas,
    groups,
    accounts: createAccounts(stores.users, sessions, hashing, config.passwordCost),
    messages: createMessages(stores.messages, groups, clock),
    direct: createDirectMessages(stores.messages, stores.conversations, stores.groups, stores.users, clock),
    presence: createPresence(stores.presence, stores.users, groups, clock),
    locations,
    rides: createRides(stores.rides, stores.groups, groups, locations, clock, limits, redis !== null),
    sos: createSosService(stores.sos, groups, clock, limits),
    sosWebhook:
      config.sosWebhook &&
      createSosWebhook(
        {
          ...config.sosWebhook,
          attempts: limits.sosWebhookAttempts,
          backoffMs: limits.sosWebhookBackoffMs,
          timeoutMs: limits.sosWebhookTimeoutMs,
        },
        logger,
      ),
    latestPerKey: createLatestPerKey(),
    events,
    crossNode: redis !== null,
    ready: () =>
      stores.ping().then(
        () => !closing,
        () => false,
      ),
    metricsText: options.metricsText ?? (() => metrics.registry.metrics()),
  };

  // A client that sends its request slowly (slowloris) is cut off; held long-polls
  // are unaffected: these bound receiving the request, not answering it.
  const httpServer = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    createHttpApp(deps, {
      corsOrigins: config.corsOrigins,
      clientDir: config.clientDir,
      client: config.client,
      trustProxy: config.trustProxy,
      metricsToken: config.metricsToken,
    }),
  );
  const origins = createOriginPolicy(config.corsOrigins);
  // Engine.IO connections refused before any namespace socket exists.
  const { rejected: refusedHandshake } = metrics.forEvent("engine", "handshake");
  const io: Io = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: limits.packetBytes,
    pingInterval: limits.pingIntervalMs,
    pingTimeout: limits.pingTimeoutMs,
    // While closing, no new session: a client reconnecting over a kept-alive HTTP
    // connection would otherwise hold a long-poll open and keep the server from closing.
    allowRequest: (req, callback) => {
      if (closing) return callback("the server is shutting down", false);
      if (!origins.isAllowed(req)) return callback("origin not allowed", false);
      const refuse = (code: "SERVER_BUSY" | "QUOTA_EXCEEDED" | "RATE_LIMITED") => {
        refusedHandshake(code);
        callback(code, false);
      };
      if (quotas.isBusy()) return refuse("SERVER_BUSY");
      const address = quotas.addressOf(req);
      if (!quotas.admitsHandshake(address)) return refuse("QUOTA_EXCEEDED");
      guards.handshakes.consume(address, "too many connection attempts").then(
        () => callback(null, true),
        () => refuse("RATE_LIMITED"),
      );
    },
    ...(config.corsOrigins ? { cors: { origin: config.corsOrigins, credentials: true } } : {}),
  });
  // After Engine.IO took the "request" listeners, so this runs for every request.
  // Node's close() ends only idle connections: a kept-alive one busy at that moment
  // would stay open for as long as its client keeps asking (a reconnecting app does).
  httpServer.prependListener("request", (_req, res) => {
    if (closing) res.setHeader("Connection", "close");
  });
  if (redis) {
    io.adapter(
      createRoomChannelAdapter({
        clients: redis,
        hasOwnChannel,
        listeners: positionListeners(locations, logger),
        counts: metrics.crossNode,
        onError: (err, channel) => logger.warn({ err, channel }, "redis channel failed"),
      }),
    );
  }

  // The default namespace carries no events, but it too admits only valid tokens.
  secureNamespace(io.of("/"), deps);
  const registrations = [
    registerChat(io, deps),
    registerPresence(io, deps),
    registerLocation(io, deps),
    // After /location's, which secures the namespace (token, user room) and makes its event router.
    registerSos(io, deps),
  ];
  const namespaces = ["/", "/chat", "/presence", "/location"].map((name) => io.of(name));
  const onSessionsEnded = ({ sessionIds }: { sessionIds: string[] }) =>
    closeSessionSockets(namespaces, sessionIds);
  events.on("sessions-ended", onSessionsEnded);
  const stopExpiryWatch = watchTokenExpiry(namespaces, clock, {
    checkMs: limits.tokenCheckMs,
    warnAheadMs: limits.tokenWarnAheadMs,
  });
  // Serve only once every namespace hears the other nodes.
  for (const nsp of namespaces) if (hearsRooms(nsp.adapter)) await nsp.adapter.hearing([]);
  quotas.track(io.engine);
  const connections = trackConnections(io.engine);
  io.engine.use(closeOversizedPolls(limits.packetBytes, connections));
  const stopSlowWatch = watchSlowClients(
    connections,
    limits.slowClientBytes,
    limits.slowClientCheckMs,
    (bytes) => {
      metrics.forEvent("engine", "slow-client").rejected("SLOW_CLIENT");
      logger.warn({ bytes }, "disconnected a client that fell behind");
    },
  );

  return {
    httpServer,
    io,
    deps,
    async close() {
      closing = true;
      stopSlowWatch();
      stopExpiryWatch();
      events.off("sessions-ended", onSessionsEnded);
      await io.close();
      await Promise.all(registrations.map((registration) => registration.close()));
      await storage.close();
    },
  };
}
