// The list of direct conversations: one entry per other user with the newest
// message either of them sent, the most recent first.
import type { Conversation } from "@convoy/shared";

/**
 * `current` updated with `incoming` (the server's list, or one conversation's
 * new message): per user, the newer last message wins (ids of one conversation
 * sort in send order), so a list fetched before a live message cannot hide it.
 */
export function mergeConversations(
  current: readonly Conversation[],
  incoming: readonly Conversation[],
): Conversation[] {
  const byUser = new Map(current.map((c) => [c.userId, c]));
  for (const next of incoming) {
    const known = byUser.get(next.userId);
    const newer = !known || next.lastMessage.id >= known.lastMessage.id ? next : known;
    byUser.set(next.userId, { ...newer, username: next.username || known?.username || "" });
  }
  // Ids of different conversations do not compare: the server's time orders them.
  return [...byUser.values()].sort((a, b) => b.lastMessage.ts - a.lastMessage.ts);
}
