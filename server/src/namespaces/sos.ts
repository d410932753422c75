// SOS on /location (issue #14): raise, receipts, resolve, and what a
// reconnecting client asks for. Every notice goes to every member's user room
// (all their /location sockets, whatever group they have open). A sweep alerts
// again whatever nobody acknowledged and calls the webhook for what nobody
// acknowledged in time; with several nodes, the store hands each SOS's
// re-send and webhook to one node only.
import { locationInputs, type Sos, type SosServerEvents } from "@convoy/shared";
import type { Deps, Registration } from "../deps.ts";
import { createBroadcaster } from "../realtime/broadcast.ts";
import { routeEvents } from "../realtime/handle.ts";
import type { Io, LocationNamespace } from "../realtime/types.ts";

/** Adds the SOS handlers to /location, whose connection checks and event router registerLocation set up. */
export function registerSos(io: Io, deps: Deps): Registration {
  const location = io.of("/location") as LocationNamespace;
  const events = routeEvents(location, locationInputs, deps);
  const broadcast = createBroadcaster(location, deps);
  const { logger } = deps;

  /**
   * To every member of the SOS's group, the raiser included. A failure is logged,
   * not answered: the change is stored, and an unacknowledged SOS is alerted again.
   */
  const notify = async (event: keyof SosServerEvents, sos: Sos) => {
    try {
      broadcast.toUsers(await deps.groups.memberIds(sos.groupId), event, sos);
    } catch (err) {
      logger.error({ err, sosId: sos.id, event }, "telling the group about an SOS failed");
    }
  };

  events.on("sos:raise", async (input, socket) => {
    const { user } = socket.data;
    const { sos, isNew } = await deps.sos.raise(user, input);
    if (isNew) {
      logger.info({ sosId: sos.id, groupId: sos.groupId, userId: user.id }, "SOS raised");
      await notify("sos:alert", sos);
    }
    return { sos };
  });

  events.on("sos:receipt", async ({ sosId, state }, socket) => {
    const { sos, changed } = await deps.sos.receipt(socket.data.user, sosId, state);
    if (changed) await notify("sos:update", sos);
    return { sos };
  });

  events.on("sos:resolve", async ({ sosId }, socket) => {
    const { user } = socket.data;
    const sos = await deps.sos.resolve(user, sosId);
    logger.info({ sosId, groupId: sos.groupId, userId: user.id }, "SOS resolved");
    await notify("sos:resolved", sos);
    return { sos };
  });

  events.on("sos:active", async (_input, socket) => ({ alerts: await deps.sos.active(socket.data.user) }));

  // A sweep that is still running when the next is due is not started again;
  // stop() waits for the one running, so that nothing it claimed goes unsent.
  const every = (run: () => Promise<void>, what: string) => {
    let running: Promise<void> | null = null;
    const timer = setInterval(() => {
      running ??= run()
        .catch((err: unknown) => logger.error({ err }, what))
        .finally(() => (running = null));
    }, deps.limits.sosSweepMs);
    timer.unref();
    return {
      async stop() {
        clearInterval(timer);
        await running;
      },
    };
  };

  const resends = every(async () => {
    for (const sos of await deps.sos.claimResends()) {
      logger.warn(
        { sosId: sos.id, groupId: sos.groupId, sentCount: sos.sentCount },
        "SOS not acknowledged: alerting again",
      );
      await notify("sos:alert", sos);
    }
  }, "re-sending SOS alerts failed");

  const closing = new AbortController();
  const deliveries = new Set<Promise<unknown>>();
  const { sosWebhook } = deps;
  const webhooks =
    sosWebhook &&
    every(async () => {
      for (const sos of await deps.sos.claimWebhooks(sosWebhook.afterMs)) {
        const delivery = deps.groups
          .findById(sos.groupId)
          .then((group) => sosWebhook.deliver(sos, group?.name ?? null, closing.signal))
          .catch((err: unknown) => logger.error({ err, sosId: sos.id }, "SOS webhook failed"))
          .finally(() => deliveries.delete(delivery));
        deliveries.add(delivery);
      }
    }, "claiming SOS webhooks failed");

  return {
    async close() {
      await Promise.all([resends.stop(), webhooks?.stop()]);
      closing.abort();
      await Promise.all(deliveries);
    },
  };
}
