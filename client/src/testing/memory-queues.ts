// Durable queues for tests: JSON storage over a Map, so that a "reload" is a
// second feature given the same store.
import type { QueueStore } from "../net/durable-queue.ts";
import { createStorageQueueStore } from "../net/durable-queue.ts";
import { memoryStorage } from "./memory-storage.ts";

export function memoryQueues(): QueueStore {
  return createStorageQueueStore(memoryStorage());
}
