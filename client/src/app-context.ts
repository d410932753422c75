// The composition root: every long-lived object of the app, made from the
// browser's objects (or a test's fakes) and started here, never at import.
// The signed-in user's features are made when they sign in and stopped when
// they sign out.
import type { ClientConfig } from "@convoy/shared";
import { effect, signal, untracked, type ReadonlySignal } from "@preact/signals";
import type { Feature } from "./features/feature.ts";
import type { GeolocationLike } from "./features/map/position-source.ts";
import type { PageVisibility } from "./features/presence/presence.ts";
import { silentAlarm, type Alarm } from "./features/sos/alarm.ts";
import type { WakeLockLike } from "./features/wake-lock/screen-wake.ts";
import { DEFAULT_CLIENT_CONFIG, loadClientConfig } from "./net/client-config.ts";
import type { Clock } from "./net/clock.ts";
import { createConnection, type Connection, type Network } from "./net/connection.ts";
import { createStorageQueueStore, type QueueStore } from "./net/durable-queue.ts";
import { createHttp } from "./net/http.ts";
import { createIdbQueueStore } from "./net/idb-queue-store.ts";
import { forgetOutboxes } from "./features/outbox/outbox-policy.ts";
import { createSession, type Session } from "./net/session.ts";
import { createSocketTransport, type Transport } from "./net/socket-transport.ts";
import { createStorage, type StringStore } from "./net/storage.ts";
import { createAppUpdates, type AppUpdates, type ServiceWorkerPort } from "./offline/app-updates.ts";
import { createTicker, type Ticker } from "./ui/ticker.ts";
import { createUserFeatures, type UserFeatures } from "./user-features.ts";

/** What the app needs from its surroundings: the browser's objects in main.tsx. */
export interface AppDeps {
  clock: Clock;
  store: StringStore;
  /** Where the outboxes are kept; without it (tests, no IndexedDB) they are kept in `store`. */
  indexedDB?: IDBFactory | undefined;
  fetch: typeof globalThis.fetch;
  network: Network;
  page: PageVisibility;
  geolocation: GeolocationLike | undefined;
  /** navigator.wakeLock; undefined where the browser has none. */
  wakeLock: WakeLockLike | undefined;
  /** Sounds an incoming SOS; silent when not given. */
  alarm?: Alarm;
  /** The sockets, given a way to get a fresh token for each handshake. */
  openTransport?: (token: () => Promise<string | null>) => Transport;
  /** The service worker (workbox-window); absent without one, or in development. */
  serviceWorker?: ServiceWorkerPort;
  /** Reloads the page (into a new version of the app). */
  reload?: () => void;
}

export interface AppContext extends Feature {
  session: Session;
  connection: Connection;
  ticker: Ticker;
  /** The server's settings for the app; the last ones known while it cannot be reached. */
  clientConfig: ReadonlySignal<ClientConfig>;
  updates: AppUpdates;
  /** The server answered with clientConfig (until then, or if it could not be reached, the last known or the defaults). */
  clientConfigLoaded: ReadonlySignal<boolean>;
  /** The signed-in user's features; null while nobody is signed in. */
  user: ReadonlySignal<UserFeatures | null>;
}

/** The server's last answer to GET /api/config: the map opens with its tiles offline too. */
const CONFIG_KEY = "convoy.clientConfig";

export function createAppContext(deps: AppDeps): AppContext {
  const {
    clock,
    network,
    page,
    geolocation,
    wakeLock,
    alarm = silentAlarm,
    openTransport = createSocketTransport,
    serviceWorker,
    reload = () => {},
  } = deps;
  const storage = createStorage(deps.store);
  const queues: QueueStore = deps.indexedDB
    ? createIdbQueueStore({ indexedDB: deps.indexedDB, fallback: createStorageQueueStore(storage) })
    : createStorageQueueStore(storage);
  const http = createHttp({ fetch: deps.fetch, clock });
  const session = createSession({ http, storage, clock });
  const transport = openTransport(() => session.freshToken());
  const connection = createConnection({ transport, session, clock, network });
  const ticker = createTicker(clock);
  const clientConfig = signal(storage.loadJson(CONFIG_KEY, DEFAULT_CLIENT_CONFIG));
  const updates = createAppUpdates({ worker: serviceWorker, clock, reload });
  const clientConfigLoaded = signal(false);
  const user = signal<UserFeatures | null>(null);
  let disposeUser: (() => void) | undefined;

  /** One user's features for as long as they are signed in (a renewed token is the same user). */
  const followUser = () => {
    const userId = session.currentUserId.value;
    if (!userId) return;
    const features = untracked(() => {
      const made = createUserFeatures({
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
      });
      made.start();
      return made;
    });
    user.value = features;
    return () => {
      user.value = null;
      // Signed out (not the app stopping): sharing ends on the server first, while the socket is open.
      const signedOut = session.currentUserId.peek() !== userId;
      if (signedOut) {
        features.location.endSharing();
        features.lastKnown.forget();
        connection.disconnectAll();
      }
      features.stop();
      // Once stopped, nothing of theirs writes to the queues again.
      if (signedOut) void forgetOutboxes(queues, userId);
    };
  };

  return {
    session,
    connection,
    ticker,
    clientConfig,
    updates,
    clientConfigLoaded,
    user,
    start() {
      session.start();
      connection.start();
      ticker.start();
      updates.start();
      void loadClientConfig(http).then((config) => {
        if (!config) return;
        clientConfig.value = config;
        clientConfigLoaded.value = true;
        storage.saveJson(CONFIG_KEY, config);
      });
      disposeUser = effect(followUser);
    },
    stop() {
      disposeUser?.();
      updates.stop();
      ticker.stop();
      connection.stop();
      session.stop();
    },
  };
}
