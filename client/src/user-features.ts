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
import { createScreenWake, type ScreenWake, type WakeLockLike } from "./features/wake-lock/screen-wake.ts";
import type { Clock } from "./net/clock.ts";
import type { Connection } from "./net/connection.ts";
import type { QueueStore } from "./net/durable-queue.ts";
import type { Session } from "./net/session.ts";
import type { JsonStorage } from "./net/storage.ts";
import { createTimers } from "./net/timers.ts";
import { createLastKnown, type LastKnown } from "./offline/last-known.ts";

export interface UserFeatures extends Feature {
  userId: string;
  chat: Chat;
  direct: DirectMessages;
  presence: Presence;
  location: LiveLocation;
  groups: Groups;
  sos: SosAlerts;
  rides: Rides;
  lastKnown: LastKnown;
  screenWake: ScreenWake;
  /** The user's groups were loaded (chat and presence follow them). */
  loaded: ReadonlySignal<boolean>;
  loadError: ReadonlySignal<string | null>;
  /** What the user sent that the server has not taken yet, over every outbox: waiting, or refused (failed). */
  outboxCount: ReadonlySignal<{ waiting: number; failed: number }>;
}

/** The first retry of a failed groups load, doubling up to the second. */
const LOAD_RETRY_MS = 5000;
const LOAD_RETRY_MAX_MS = 60_000;

export function createUserFeatures({
  userId,
  session,
  connection,
  storage,
  queues,
  clock,
  page,
  geolocation,
  wakeLock,
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
  wakeLock: WakeLockLike | undefined;
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
  const lastKnown = createLastKnown({ storage, clock, userId, groups, chat, presence });
  const screenWake = createScreenWake({ wakeLock, page, sharing: location.sharing, storage, userId });
  const loaded = signal(false);
  const loadError = signal<string | null>(null);
  /** Bumped to load the groups again after a failure. */
  const loadAttempt = signal(0);
  let failedLoads = 0;
  const timers = createTimers(clock);
  const disposers: Array<() => void> = [];

  // Each effect depends only on the signals it reads itself; what it calls runs untracked.
  /** Groups load once the session is usable: at once, or after the password when the saved token had expired. */
  const loadGroups = () => {
    void loadAttempt.value;
    if (needsLogin.value || loaded.value) return;
    let current = true;
    untracked(() => groups.load()).then(
      (mine) => {
        if (!current) return;
        loaded.value = true;
        loadError.value = null;
        lastKnown.live();
        for (const g of mine) chat.followGroup(g.id);
        for (const g of mine) presence.follow(g.id);
        connection.connectAll();
      },
      () => {
        if (!current || needsLogin.peek()) return;
        // Without a network the app shows what it last knew, and tries again: the sockets
        // connect as soon as they can, and the list follows within a minute.
        const kept = groups.list.peek().length > 0;
        loadError.value = kept ? null : "Your groups could not be loaded yet. Convoy keeps trying.";
        connection.connectAll();
        failedLoads++;
        timers.after(
          Math.min(LOAD_RETRY_MS * 2 ** (failedLoads - 1), LOAD_RETRY_MAX_MS),
          () => loadAttempt.value++,
        );
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
    untracked(() => {
      location.watchGroup(groupId);
      // The next connection goes where this group's riders are (a cluster's placement hint).
      connection.sockets.setAffinity(groupId);
    });
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
    lastKnown,
    screenWake,
    loaded,
    loadError,
    outboxCount,
    start() {
      timers.start();
      // What an earlier visit kept shows until the server answers (at once, when online).
      lastKnown.restore();
      lastKnown.start();
      location.start();
      rides.start();
      chat.start();
      direct.start();
      presence.start();
      sos.start();
      screenWake.start();
      for (const run of [loadGroups, followGroups, watchOpenGroup, reconnectAfterLogin])
        disposers.push(effect(run));
    },
    stop() {
      for (const dispose of disposers.splice(0)) dispose();
      timers.stop();
      lastKnown.stop();
      screenWake.stop();
      chat.stop();
      direct.stop();
      presence.stop();
      sos.stop();
      rides.stop();
      location.stop();
    },
  };
}
