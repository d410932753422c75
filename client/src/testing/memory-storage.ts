// The device's storage for tests: a Map, so that a "reload" is a second
// factory given the same storage.
import { createStorage, type JsonStorage } from "../net/storage.ts";

export function memoryStorage(): JsonStorage {
  const items = new Map<string, string>();
  return createStorage({
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  });
}
