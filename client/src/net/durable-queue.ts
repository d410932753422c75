// What the client must still send, kept on the device per user and per kind
// (chat, direct messages, SOS raises, ride actions), oldest first. The outbox
// features hold their list in memory and write each change here: IndexedDB in
// the browser (idb-queue-store.ts), or, where IndexedDB cannot be opened
// (private modes, disabled), the JSON storage below, itself memory-only when
// localStorage is disabled too.
import type { JsonStorage } from "./storage.ts";

/** One user's queue of one kind. Never rejects: a write that fails keeps the entry for this page only. */
export interface DurableQueue<T> {
  /** Everything kept, in the order first put. */
  load(): Promise<T[]>;
  /** The same, with each entry's id. */
  entries(): Promise<Array<[string, T]>>;
  /** Adds at the end, or replaces in place the entry with this id. */
  put(id: string, value: T): Promise<void>;
  remove(id: string): Promise<void>;
  /** Removes every entry (the user signed out). */
  clear(): Promise<void>;
}

export interface QueueStore {
  /** Two owners (user ids) never see each other's entries. */
  queue<T>(owner: string, kind: string): DurableQueue<T>;
}

/** Each queue as one JSON list of [id, value] under `convoy.<owner>.queue.<kind>`. */
export function createStorageQueueStore(storage: JsonStorage): QueueStore {
  return {
    queue<T>(owner: string, kind: string): DurableQueue<T> {
      const key = `convoy.${owner}.queue.${kind}`;
      const read = () => storage.loadJson<Array<[string, T]>>(key, []);
      const write = (entries: Array<[string, T]>) =>
        entries.length ? storage.saveJson(key, entries) : storage.remove(key);
      return {
        load: async () => read().map(([, value]) => value),
        entries: async () => read(),
        async put(id, value) {
          const entries = read();
          const at = entries.findIndex(([kept]) => kept === id);
          if (at === -1) entries.push([id, value]);
          else entries[at] = [id, value];
          write(entries);
        },
        remove: async (id) => write(read().filter(([kept]) => kept !== id)),
        clear: async () => storage.remove(key),
      };
    },
  };
}

/**
 * The queue, filled first (once) with the list an older version kept under
 * `key` in localStorage, which is then removed.
 */
export function withLegacyList<T>(
  queue: DurableQueue<T>,
  storage: JsonStorage,
  key: string,
  idOf: (value: T) => string,
): DurableQueue<T> {
  let migrated: Promise<void> | undefined;
  const migrate = () =>
    (migrated ??= (async () => {
      const old = storage.loadJson<unknown>(key, null);
      if (!Array.isArray(old)) return;
      // put() keeps an id once: a migration cut short and done again adds nothing twice.
      for (const value of old as T[]) await queue.put(idOf(value), value);
      storage.remove(key);
    })());
  return {
    async load() {
      await migrate();
      return queue.load();
    },
    async entries() {
      await migrate();
      return queue.entries();
    },
    async put(id, value) {
      await migrate();
      return queue.put(id, value);
    },
    async remove(id) {
      await migrate();
      return queue.remove(id);
    },
    async clear() {
      await migrate();
      return queue.clear();
    },
  };
}
