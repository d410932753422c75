import type { Session, SessionStore } from "../types.ts";
import type { Database } from "./database.ts";

/** Expired rows deleted per new session: the table stays bounded without a timer. */
const PRUNE_BATCH = 100;

export function createSqliteSessionStore(db: Database): SessionStore {
  const insert = db.sql.prepare("INSERT INTO sessions (id, user_id, expires_at) VALUES (?, ?, ?)");
  const prune = db.sql.prepare(
    "DELETE FROM sessions WHERE rowid IN (SELECT rowid FROM sessions WHERE expires_at <= ? LIMIT ?)",
  );
  const byId = db.sql.prepare<[string, number], Session>(
    "SELECT id, user_id AS userId, expires_at AS expiresAt FROM sessions WHERE id = ? AND expires_at > ?",
  );
  const remove = db.sql.prepare("DELETE FROM sessions WHERE id = ?");
  const removeAllOf = db.sql
    .prepare<[string], string>("DELETE FROM sessions WHERE user_id = ? RETURNING id")
    .pluck();

  const create = db.writer((session: Session, now: number) => {
    prune.run(now, PRUNE_BATCH);
    insert.run(session.id, session.userId, session.expiresAt);
  });
  const revoke = db.writer((id: string) => remove.run(id).changes);
  const revokeAll = db.writer((userId: string) => removeAllOf.all(userId));

  return {
    async create(session, now) {
      create(session, now);
    },
    async find(id, now) {
      return byId.get(id, now) ?? null;
    },
    async revoke(id) {
      return revoke(id) === 1;
    },
    async revokeAll(userId) {
      return revokeAll(userId);
    },
  };
}
