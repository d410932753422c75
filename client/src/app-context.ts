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
import { DEFAULT_CLIENT_CONFIG, loadClientConfig } from "./net/client-config.ts";
import type { Clock } from "./net/clock.ts";
import { createConnection, type Connection, type Network } from "./net/connection.ts";
import { createStorageQueueStore, type QueueStore } from "./net/durable-queue.ts";
import { createHttp } from "./net/http.ts";
import { createIdbQueueStore } from "./net/idb-queue-store.ts";
import { createSession, type Session } from "./net/session.ts";
import { createSocketTransport, type Transport } from "./net/socket-transport.ts";
import { createStorage, type StringStore } from "./net/storage.ts";
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
  /** Sounds an incoming SOS; silent when not given. */
  alarm?: Alarm;
  /** The sockets, given a way to get a fresh token for each handshake. */
  openTransport?: (token: () => Promise<string | null>) => Transport;
}

export interface AppContext extends Feature {
  session: Session;
  connection: Connection;
  ticker: Ticker;
  clientConfig: ReadonlySignal<ClientConfig>;
  /** The signed-in user's features; null while nobody is signed in. */
  user: ReadonlySignal<UserFeatures | null>;
}

export function createAppContext(deps: AppDeps): AppContext {
  const {
    clock,
    network,
    page,
    geolocation,
    alarm = silentAlarm,
    openTransport = createSocketTransport,
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
  const clientConfig = signal(DEFAULT_CLIENT_CONFIG);
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
        alarm,
      });
      made.start();
      return made;
    });
    user.value = features;
    return () => {
      user.value = null;
      // Signed out (not the app stopping): sharing ends on the server first, while the socket is open.
      if (session.currentUserId.peek() !== userId) {
        features.location.endSharing();
        connection.disconnectAll();
      }
      features.stop();
    };
  };

  return {
    session,
    connection,
    ticker,
    clientConfig,
    user,
    start() {
      session.start();
      connection.start();
      ticker.start();
      void loadClientConfig(http).then((config) => (clientConfig.value = config));
      disposeUser = effect(followUser);
    },
    stop() {
      disposeUser?.();
      ticker.stop();
      connection.stop();
      session.stop();
    },
  };
}
