// Chat history: a group's messages numbered by seq (1, 2, …), the id on the
// wire being seq zero-padded. Past the cap the oldest go, in batches; the
// newest is never evicted, so the next seq always follows the highest stored.
import type { ChatMessage } from "@convoy/shared";
import type { MessageDraft, MessageStore } from "../types.ts";
import { messageId } from "../message-id.ts";
import type { Database } from "./database.ts";

type Row = MessageDraft & { seq: number };

const COLUMNS =
  "seq, group_id AS groupId, user_id AS userId, username, text, ts, client_msg_id AS clientMsgId";

const toMessage = ({ seq, ...rest }: Row): ChatMessage => ({ id: messageId(seq), ...rest });

export function createSqliteMessageStore(db: Database, capPerGroup: number): MessageStore {
  const byClientId = db.sql.prepare<[string, string, string], Row>(
    `SELECT ${COLUMNS} FROM messages WHERE group_id = ? AND user_id = ? AND client_msg_id = ?`,
  );
  const lastSeq = db.sql
    .prepare<[string], number | null>("SELECT max(seq) FROM messages WHERE group_id = ?")
    .pluck();
  const insert = db.sql.prepare(
    "INSERT INTO messages (group_id, seq, user_id, username, text, ts, client_msg_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const evictUpTo = db.sql.prepare("DELETE FROM messages WHERE group_id = ? AND seq <= ?");
  const newest = db.sql.prepare<[string, number], Row>(
    `SELECT ${COLUMNS} FROM messages WHERE group_id = ? ORDER BY seq DESC LIMIT ?`,
  );
  const after = db.sql.prepare<[string, number, number], Row>(
    `SELECT ${COLUMNS} FROM messages WHERE group_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
  );
  const before = db.sql.prepare<[string, number, number], Row>(
    `SELECT ${COLUMNS} FROM messages WHERE group_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
  );
  // Evicting every cap/10 messages keeps between cap and 1.1 × cap, as the Redis store does.
  const evictEvery = Math.max(1, Math.ceil(capPerGroup / 10));

  const append = db.writer((draft: MessageDraft) => {
    const existing = byClientId.get(draft.groupId, draft.userId, draft.clientMsgId);
    if (existing) return { message: toMessage(existing), isNew: false };
    const seq = (lastSeq.get(draft.groupId) ?? 0) + 1;
    insert.run(draft.groupId, seq, draft.userId, draft.username, draft.text, draft.ts, draft.clientMsgId);
    if (seq > capPerGroup && seq % evictEvery === 0) evictUpTo.run(draft.groupId, seq - capPerGroup);
    return { message: toMessage({ seq, ...draft }), isNew: true };
  });

  /** `limit + 1` rows, so that hasMore needs no second query. */
  const page = (rows: Row[], limit: number) => ({
    messages: rows.slice(0, limit).map(toMessage),
    hasMore: rows.length > limit,
  });

  return {
    async append(draft) {
      return append(draft);
    },
    async latest(groupId, limit) {
      return newest.all(groupId, limit).reverse().map(toMessage);
    },
    async after(groupId, afterId, limit) {
      return page(after.all(groupId, Number(afterId), limit + 1), limit);
    },
    async before(groupId, beforeId, limit) {
      const from = beforeId === null ? Number.MAX_SAFE_INTEGER : Number(beforeId);
      const { messages, hasMore } = page(before.all(groupId, from, limit + 1), limit);
      return { messages: messages.reverse(), hasMore };
    },
  };
}
