// Pure helpers for the message list: every message appears once, in send order,
// however often it arrives (history, live event, catch-up, retry ack).
import type { ChatMessage } from "@convoy/shared";

/** `existing` plus `incoming`, without duplicates (by id), sorted by id (ids sort in send order). */
export function mergeMessages(
  existing: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
): ChatMessage[] {
  if (incoming.length === 0) return existing as ChatMessage[];
  const byId = new Map(existing.map((message) => [message.id, message]));
  let added = false;
  for (const message of incoming) {
    if (byId.has(message.id)) continue;
    byId.set(message.id, message);
    added = true;
  }
  if (!added) return existing as ChatMessage[];
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Index of the first message newer than `lastReadId` that someone else wrote, or -1. */
export function firstUnreadIndex(
  messages: readonly ChatMessage[],
  lastReadId: string | null,
  me: string,
): number {
  if (lastReadId === null) return -1;
  return messages.findIndex((message) => message.id > lastReadId && message.userId !== me);
}
