// Server settings kept in the database; for now the token signing key that
// embedded mode makes on its first start, so that a restart logs nobody out.
import { randomBytes } from "node:crypto";
import type { Database } from "./database.ts";

export function storedSigningKey(db: Database): string {
  const read = db.sql.prepare<[], string>("SELECT value FROM settings WHERE name = 'signing-key'").pluck();
  const existing = read.get();
  if (existing !== undefined) return existing;
  const key = randomBytes(32).toString("base64url");
  db.writer(() => db.sql.prepare("INSERT INTO settings (name, value) VALUES ('signing-key', ?)").run(key))();
  return key;
}
