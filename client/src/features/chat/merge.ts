// Pure helpers for a conversation's messages, group chat or direct: every
// message appears once, in send order, however often it arrives (history,
// live event, catch-up, retry ack).

/** What every message shown in a conversation has. */
export interface Said {
  /** Sorts (as a string) in send order within its conversation. */
  id: string;
  userId: string;
  username: string;
  text: string;
  ts: number;
}

/** `existing` plus `incoming`, without duplicates (by id), sorted by id (ids sort in send order). */
export function mergeMessages<T extends { id: string }>(existing: readonly T[], incoming: readonly T[]): T[] {
  if (incoming.length === 0) return existing as T[];
  const byId = new Map(existing.map((message) => [message.id, message]));
  let added = false;
  for (const message of incoming) {
    if (byId.has(message.id)) continue;
    byId.set(message.id, message);
    added = true;
  }
  if (!added) return existing as T[];
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** `byConversation` with `incoming` merged into one conversation's messages; the same object when nothing is new. */
export function withMessages<T extends { id: string }>(
  byConversation: Readonly<Record<string, T[]>>,
  conversation: string,
  incoming: readonly T[],
): Record<string, T[]> {
  const current = byConversation[conversation] ?? [];
  const merged = mergeMessages(current, incoming);
  return merged === current ? byConversation : { ...byConversation, [conversation]: merged };
}

type Authored = Pick<Said, "id" | "userId">;

/** Index of the first message newer than `lastReadId` that someone else wrote, or -1. */
export function firstUnreadIndex(
  messages: readonly Authored[],
  lastReadId: string | null,
  me: string,
): number {
  if (lastReadId === null) return -1;
  return messages.findIndex((message) => message.id > lastReadId && message.userId !== me);
}

/** Messages from others newer than `lastReadId` ("" when nothing was ever read). */
export function countUnread(messages: readonly Authored[], lastReadId: string, me: string): number {
  return messages.filter((message) => message.id > lastReadId && message.userId !== me).length;
}
