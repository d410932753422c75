// Small JSON values kept on the device (localStorage in the browser, a Map in
// tests), one key per user, so that two accounts on one browser never see each
// other's drafts, outbox or settings.

/** What the app needs of Web Storage; `localStorage` is one. */
export interface StringStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface JsonStorage {
  loadJson<T>(key: string, fallback: T): T;
  saveJson(key: string, value: unknown): void;
  remove(key: string): void;
}

export function createStorage(store: StringStore): JsonStorage {
  return {
    loadJson<T>(key: string, fallback: T): T {
      try {
        const raw = store.getItem(key);
        return raw === null ? fallback : (JSON.parse(raw) as T);
      } catch {
        return fallback;
      }
    },
    saveJson(key, value) {
      try {
        store.setItem(key, JSON.stringify(value));
      } catch {
        // Storage full or disabled: the value lives in memory for this page only.
      }
    },
    remove(key) {
      try {
        store.removeItem(key);
      } catch {
        // Disabled storage: nothing was kept.
      }
    },
  };
}
