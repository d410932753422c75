// Where the user stopped reading each conversation: the id of the newest
// message seen, kept on the device per user (one key per kind of conversation).
import { signal, type ReadonlySignal } from "@preact/signals";
import type { JsonStorage } from "../../net/storage.ts";

export interface ReadMarks {
  /** Conversation (a group id, or the other user's id) → id of the newest message seen. */
  lastRead: ReadonlySignal<Record<string, string>>;
  /** Everything up to `newestId` has been seen. */
  markRead(conversation: string, newestId: string | undefined): void;
}

export function createReadMarks(storage: JsonStorage, key: string): ReadMarks {
  const lastRead = signal(storage.loadJson<Record<string, string>>(key, {}));
  return {
    lastRead,
    markRead(conversation, newestId) {
      if (!newestId || lastRead.value[conversation] === newestId) return;
      lastRead.value = { ...lastRead.value, [conversation]: newestId };
      storage.saveJson(key, lastRead.value);
    },
  };
}
