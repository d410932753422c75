// What namespace modules and routers are given: plain objects, built by createApp
// from config (memory or Redis stores behind the same services).
import type { Clock } from "./clock.ts";
import type { Guards } from "./guards/index.ts";
import type { Limits } from "./limits.ts";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";
import type { ConnectionQuotas } from "./realtime/connection-quotas.ts";
import type { LatestPerKey } from "./realtime/latest-per-key.ts";
import type { Accounts } from "./services/accounts.ts";
import type { DirectMessages } from "./services/direct-messages.ts";
import type { Groups } from "./services/groups.ts";
import type { Locations } from "./services/locations.ts";
import type { Messages } from "./services/messages.ts";
import type { Presence } from "./services/presence.ts";
import type { Rides } from "./services/rides.ts";
import type { DomainEvents } from "./services/domain-events.ts";
import type { Sessions } from "./services/sessions.ts";
import type { SosService } from "./services/sos.ts";
import type { SosWebhook } from "./services/sos-webhook.ts";

export interface Deps {
  limits: Limits;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  sessions: Sessions;
  /** Rate limits checked before any work (SPEC §6). */
  guards: Guards;
  /** What one address or user may hold open on this node. */
  quotas: ConnectionQuotas;
  accounts: Accounts;
  groups: Groups;
  messages: Messages;
  direct: DirectMessages;
  presence: Presence;
  locations: Locations;
  rides: Rides;
  sos: SosService;
  /** Where SOSes nobody acknowledged in time are POSTed (SOS_WEBHOOK_URL); null: nowhere. */
  sosWebhook: SosWebhook | null;
  latestPerKey: LatestPerKey;
  /** Domain events between the HTTP routes and the namespaces of this node. */
  events: DomainEvents;
  /** Several nodes share state through Redis. */
  crossNode: boolean;
  /** True when the process can serve: its store answers and it is not shutting down. */
  ready(): Promise<boolean>;
  /** Prometheus text for GET /metrics. */
  metricsText(): Promise<string>;
}

/** What a namespace module leaves running. close() runs after Socket.IO closed, and waits for in-flight work. */
export interface Registration {
  close(): Promise<void>;
}
