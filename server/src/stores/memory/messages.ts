import type { ChatMessage } from "@convoy/shared";
import type { MessageStore } from "../types.ts";
import { canonicalMessageId, messageId } from "../message-id.ts";

interface GroupLog {
  lastSeq: number;
  /** Sorted by id (= send order); the oldest are evicted past the cap. */
  messages: Readonly<ChatMessage>[];
  /** `${userId}\0${clientMsgId}` → message, for the messages still kept. */
  byClientKey: Map<string, Readonly<ChatMessage>>;
}

const clientKey = (m: { userId: string; clientMsgId: string }) => `${m.userId}\u0000${m.clientMsgId}`;

export function createMemoryMessageStore(capPerGroup: number): MessageStore {
  const logs = new Map<string, GroupLog>();
  const logOf = (groupId: string): GroupLog => {
    let log = logs.get(groupId);
    if (!log) logs.set(groupId, (log = { lastSeq: 0, messages: [], byClientKey: new Map() }));
    return log;
  };

  /** Index of the first message whose id is greater than `id` (or >= when inclusive). */
  const firstAfter = (list: readonly ChatMessage[], id: string, inclusive: boolean): number => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const midId = list[mid]!.id;
      if (midId < id || (!inclusive && midId === id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const evict = (log: GroupLog) => {
    // Evict in batches so that a full group does not pay a splice per message.
    if (log.messages.length <= capPerGroup + Math.ceil(capPerGroup / 10)) return;
    const gone = log.messages.splice(0, log.messages.length - capPerGroup);
    for (const message of gone) log.byClientKey.delete(clientKey(message));
  };

  return {
    async append(draft) {
      const log = logOf(draft.groupId);
      const existing = log.byClientKey.get(clientKey(draft));
      if (existing) return { message: existing, isNew: false };
      const message = Object.freeze({ ...draft, id: messageId(++log.lastSeq) });
      log.messages.push(message);
      log.byClientKey.set(clientKey(message), message);
      evict(log);
      return { message, isNew: true };
    },
    async latest(groupId, limit) {
      return logs.get(groupId)?.messages.slice(-limit) ?? [];
    },
    async after(groupId, afterId, limit) {
      const list = logs.get(groupId)?.messages ?? [];
      const start = firstAfter(list, canonicalMessageId(afterId), false);
      return { messages: list.slice(start, start + limit), hasMore: start + limit < list.length };
    },
    async before(groupId, beforeId, limit) {
      const list = logs.get(groupId)?.messages ?? [];
      const end = beforeId === null ? list.length : firstAfter(list, canonicalMessageId(beforeId), true);
      const start = Math.max(0, end - limit);
      return { messages: list.slice(start, end), hasMore: start > 0 };
    },
  };
}
