import type { User } from "@convoy/shared";
import type { StoredUser, UserStore } from "../types.ts";
import type { Database } from "./database.ts";
import { selectByIds } from "./select-by-ids.ts";

export function createSqliteUserStore(db: Database): UserStore {
  const insert = db.sql.prepare(
    "INSERT INTO users (id, username, password_hash) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
  );
  // The username column compares without case (COLLATE NOCASE; usernames are ASCII).
  const byName = db.sql.prepare<[string], StoredUser>(
    "SELECT id, username, password_hash AS passwordHash FROM users WHERE username = ?",
  );
  const byId = db.sql.prepare<[string], StoredUser>(
    "SELECT id, username, password_hash AS passwordHash FROM users WHERE id = ?",
  );
  const updateHash = db.sql.prepare("UPDATE users SET password_hash = ? WHERE id = ?");
  const byIds = db.sql.prepare<[string], User>(
    "SELECT id, username FROM users WHERE id IN (SELECT value FROM json_each(?))",
  );
  const create = db.writer(
    (user: StoredUser) => insert.run(user.id, user.username, user.passwordHash).changes,
  );
  const setPasswordHash = db.writer((id: string, hash: string) => updateHash.run(hash, id).changes);

  return {
    async create(user) {
      return create(user) === 1;
    },
    async findByUsername(username) {
      return byName.get(username) ?? null;
    },
    async findById(id) {
      return byId.get(id) ?? null;
    },
    async setPasswordHash(id, passwordHash) {
      return setPasswordHash(id, passwordHash) === 1;
    },
    async findMany(ids) {
      return selectByIds(byIds, ids);
    },
  };
}
