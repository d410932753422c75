import type { ConversationStore } from "../types.ts";
import type { Database } from "./database.ts";

export function createSqliteConversationStore(db: Database): ConversationStore {
  const upsert = db.sql.prepare(
    `INSERT INTO conversations (user_id, partner_id, last_ts) VALUES (?, ?, ?)
     ON CONFLICT (user_id, partner_id) DO UPDATE SET last_ts = max(last_ts, excluded.last_ts)`,
  );
  const partners = db.sql
    .prepare<[string, number], string>(
      "SELECT partner_id FROM conversations WHERE user_id = ? ORDER BY last_ts DESC, partner_id LIMIT ?",
    )
    .pluck();
  const touch = db.writer((a: string, b: string, ts: number) => {
    upsert.run(a, b, ts);
    if (a !== b) upsert.run(b, a, ts);
  });

  return {
    async touch(a, b, ts) {
      touch(a, b, ts);
    },
    async partnersOf(userId, limit) {
      return partners.all(userId, limit);
    },
  };
}
