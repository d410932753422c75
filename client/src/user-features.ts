// Everything that belongs to one signed-in user: their chat, presence, map
// and groups, made for that user and wired together. Started when they sign
// in; stopped when they sign out (a new user gets new ones).
import { computed, effect, signal, untracked, type ReadonlySignal } from "@preact/signals";
import { createChat, type Chat } from "./features/chat/chat.ts";
import type { OutgoingMessage } from "./features/chat/outbox.ts";
import {
  createDirectMessages,
  type DirectMessages,
  type OutgoingDirect,
} from "./features/direct/direct-messages.ts";
import type { Feature } from "./features/feature.ts";
import { createGroups, type Groups } from "./features/groups/groups.ts";
import { createLocation, type LiveLocation } from "./features/map/location.ts";
import type { GeolocationLike } from "./features/map/position-source.ts";
import { createPresence, type PageVisibility, type Presence } from "./features/presence/presence.ts";
import type { Alarm } from "./features/sos/alarm.ts";
import { openOutbox } from "./features/outbox/outbox-policy.ts";
import { createSos, type PendingRaise, type SosAlerts } from "./features/sos/sos.ts";
import { createRides, type QueuedRideAction, type Rides } from "./features/ride/rides.ts";
import type { Clock } from "./net/clock.ts";
import type { Connection } from "./net/connection.ts";
import type { QueueStore } from "./net/durable-queue.ts";
import type { Session } from "./net/session.ts";
import type { JsonStorage } from "./net/storage.ts";

export interface UserFeatures extends Feature {
  userId: string;
  chat: Chat;
  direct: DirectMessages;
  presence: Presence;
  location: LiveLocation;
  groups: Groups;
  sos: SosAlerts;
  rides: Rides;
  /** The user's groups were loaded (chat and presence follow them). */
  loaded: ReadonlySignal<boolean>;
  loadError: ReadonlySignal<string | null>;
  /** What the user sent that the server has not taken yet, over every outbox: waiting, or refused (failed). */
  outboxCount: ReadonlySignal<{ waiting: number; failed: number }>;
}

export function createUserFeatures({
  userId,
  session,
  connection,
  storage,
  queues,
  clock,
  page,
  geolocation,
  alarm,
}: {
  userId: string;
  session: Pick<Session, "api" | "needsLogin">;
  connection: Pick<Connection, "sockets" | "connectAll">;
  storage: JsonStorage;
  /** Where the outboxes are kept on the device. */
  queues: QueueStore;
  clock: Clock;
  page: PageVisibility;
  geolocation: GeolocationLike | undefined;
  alarm: Alarm;
}): UserFeatures {
  const { sockets } = connection;
  const { api, needsLogin } = session;
  const chat = createChat({
    socket: sockets.chat,
    storage,
    queue: openOutbox<OutgoingMessage>(queues, storage, userId, "chat", (m) => m.clientMsgId),
    clock,
    api,
    userId,
  });
  const direct = createDirectMessages({
    socket: sockets.chat,
    storage,
    queue: openOutbox<OutgoingDirect>(queues, storage, userId, "direct", (m) => m.clientMsgId),
    clock,
    userId,
  });
  const presence = createPresence({ socket: sockets.presence, page, clock });
  const location = createLocation({ socket: sockets.location, storage, clock, geolocation, userId });
  const groups = createGroups({ api, storage, userId });
  const sos = createSos({
    socket: sockets.location,
    queue: openOutbox<PendingRaise>(queues, storage, userId, "sos", (p) => p.clientSosId),
    clock,
    page,
    alarm,
    userId,
    lastFix: () => location.lastFix.peek(),
  });
  const rides = createRides({
    socket: sockets.location,
    location,
    api,
    userId,
    queue: openOutbox<QueuedRideAction>(queues, storage, userId, "ride", (q) => q.id),
    clock,
  });
  const outboxCount = computed(() => {
    const messages = [...chat.outbox.value, ...direct.outbox.value];
    const failed = messages.filter((m) => m.state === "failed").length;
    return {
      waiting: messages.length - failed + sos.raising.value.length + rides.queued.value.length,
      failed,
    };
  });
  const loaded = signal(false);
  const loadError = signal<string | null>(null);
  const disposers: Array<() => void> = [];

  // Each effect depends only on the signals it reads itself; what it calls runs untracked.
  /** Groups load once the session is usable: at once, or after the password when the saved token had expired. */
  const loadGroups = () => {
    if (needsLogin.value || loaded.value) return;
    let current = true;
    loadError.value = null;
    untracked(() => groups.load()).then(
      (mine) => {
        if (!current) return;
        loaded.value = true;
        for (const g of mine) chat.followGroup(g.id);
        for (const g of mine) presence.follow(g.id);
        connection.connectAll();
      },
      () => {
        if (current && !needsLogin.peek())
          loadError.value = "Your groups could not be loaded. Reload the page to try again.";
      },
    );
    return () => {
      current = false;
    };
  };
  /** A group created or joined later is followed too. */
  const followGroups = () => {
    const ids = groups.list.value.map((g) => g.id);
    untracked(() => {
      for (const id of ids) {
        chat.followGroup(id);
        presence.follow(id);
      }
    });
  };
  const watchOpenGroup = () => {
    const groupId = groups.currentGroupId.value;
    untracked(() => location.watchGroup(groupId));
  };
  /** After a re-login the sockets that were refused connect again. */
  const reconnectAfterLogin = () => {
    if (!needsLogin.value) untracked(() => connection.connectAll());
  };

  return {
    userId,
    chat,
    direct,
    presence,
    location,
    groups,
    sos,
    rides,
    loaded,
    loadError,
    outboxCount,
    start() {
      location.start();
      rides.start();
      chat.start();
      direct.start();
      presence.start();
      sos.start();
      for (const run of [loadGroups, followGroups, watchOpenGroup, reconnectAfterLogin])
        disposers.push(effect(run));
    },
    stop() {
      for (const dispose of disposers.splice(0)) dispose();
      chat.stop();
      direct.stop();
      presence.stop();
      sos.stop();
      rides.stop();
      location.stop();
    },
  };
}
