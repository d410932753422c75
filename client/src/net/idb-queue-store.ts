// The durable queues in IndexedDB (through idb): one object store of rows
// keyed by [owner, kind, id], ordered by an index on [owner, kind, order].
// Where the database cannot be opened (private modes) the fallback store
// holds the queues; where one write fails (a full disk, a connection the
// browser dropped) that entry goes to the fallback. Loading reads both and
// removing removes from both, so an entry is neither lost nor sent twice
// whichever store took it.
import { wrap, type DBSchema, type IDBPDatabase } from "idb";
import type { DurableQueue, QueueStore } from "./durable-queue.ts";

const VERSION = 1;

interface Row {
  owner: string;
  kind: string;
  id: string;
  /** Position in its queue: one more than the last when first put. */
  order: number;
  value: unknown;
}

interface OutboxDb extends DBSchema {
  entries: { key: [string, string, string]; value: Row; indexes: { order: [string, string, number] } };
}

export function createIdbQueueStore({
  indexedDB,
  fallback,
  name = "convoy-outbox",
}: {
  indexedDB: IDBFactory;
  fallback: QueueStore;
  name?: string;
}): QueueStore {
  let opened: Promise<IDBPDatabase<OutboxDb> | null> | undefined;

  function open(): Promise<IDBPDatabase<OutboxDb> | null> {
    return (opened ??= (async () => {
      try {
        const request = indexedDB.open(name, VERSION);
        request.onupgradeneeded = () => {
          const entries = request.result.createObjectStore("entries", { keyPath: ["owner", "kind", "id"] });
          entries.createIndex("order", ["owner", "kind", "order"]);
        };
        const db = (await wrap(request)) as unknown as IDBPDatabase<OutboxDb>;
        // A newer version of the app in another tab wants to upgrade: let it.
        db.addEventListener("versionchange", () => db.close());
        return db;
      } catch {
        return null;
      }
    })());
  }

  return {
    queue<T>(owner: string, kind: string): DurableQueue<T> {
      const spare = fallback.queue<T>(owner, kind);
      const range = () => IDBKeyRange.bound([owner, kind, -Infinity], [owner, kind, Infinity]);
      /** Runs `work` on the database, or `instead` when it cannot be opened or this call fails. */
      async function use<R>(work: (db: IDBPDatabase<OutboxDb>) => Promise<R>, instead: () => Promise<R>) {
        const db = await open();
        if (db)
          try {
            return await work(db);
          } catch {
            // This call only: the next one tries the database again.
          }
        return instead();
      }
      async function entries(): Promise<Array<[string, T]>> {
        const kept = await use(
          async (db) =>
            (await db.getAllFromIndex("entries", "order", range())).map((row): [string, T] => [
              row.id,
              row.value as T,
            ]),
          async () => [],
        );
        // What the fallback took when the database failed, after what the database holds.
        const ids = new Set(kept.map(([id]) => id));
        return [...kept, ...(await spare.entries()).filter(([id]) => !ids.has(id))];
      }
      return {
        entries,
        load: async () => (await entries()).map(([, value]) => value),
        put: (id, value) =>
          use(
            async (db) => {
              // One transaction: two tabs putting at once still get distinct places.
              const tx = db.transaction("entries", "readwrite");
              const kept = await tx.store.get([owner, kind, id]);
              const last = kept ? null : await tx.store.index("order").openCursor(range(), "prev");
              const order = kept?.order ?? (last ? last.value.order + 1 : 0);
              await tx.store.put({ owner, kind, id, order, value });
              await tx.done;
            },
            () => spare.put(id, value),
          ),
        async remove(id) {
          await use(
            (db) => db.delete("entries", [owner, kind, id]),
            async () => {},
          );
          await spare.remove(id);
        },
        async clear() {
          await use(
            // An empty array sorts after every string: the range holds every id of this queue.
            (db) => db.delete("entries", IDBKeyRange.bound([owner, kind, ""], [owner, kind, []])),
            async () => {},
          );
          await spare.clear();
        },
      };
    },
  };
}
