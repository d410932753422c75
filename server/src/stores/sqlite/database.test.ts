import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openConnection, inspect, openDatabase } from "./database.ts";
import { createSqliteUserStore } from "./users.ts";

describe("sqlite database", () => {
  it("a write that fails for want of space marks writes as failing until one works again; a constraint does not", async () => {
    const db = openDatabase(":memory:");
    try {
      const users = createSqliteUserStore(db);
      await users.create({ id: "u0", username: "rider0", passwordHash: "h" });
      // A duplicate id breaks the primary key inside the transaction: not a storage failure.
      assert.throws(() =>
        db.writer(() => db.sql.prepare("INSERT INTO users VALUES ('u0', 'x', 'h')").run())(),
      );
      db.ping();

      // max_page_count makes SQLite answer SQLITE_FULL, as a full disk does.
      const pages = db.sql.pragma("page_count", { simple: true }) as number;
      db.sql.pragma(`max_page_count = ${pages}`);
      let full: unknown = null;
      for (let i = 1; i < 10_000 && full === null; i++) {
        await users
          .create({ id: `u${i}`, username: `rider${i}`, passwordHash: "h".repeat(500) })
          .catch((err: unknown) => (full = err));
      }
      assert.equal((full as { code?: string } | null)?.code, "SQLITE_FULL");
      // A full disk refuses every write; here only pages run out, so fill what room is left in them.
      const fill = db.writer((name: string, size: number) =>
        db.sql.prepare("INSERT INTO settings (name, value) VALUES (?, ?)").run(name, "x".repeat(size)),
      );
      for (const size of [200, 20, 1]) {
        for (let i = 0; i < 10_000; i++) {
          try {
            fill(`fill-${size}-${i}`, size);
          } catch {
            break;
          }
        }
      }
      assert.throws(() => db.ping(), /full/, "ping fails while writes fail");
      assert.throws(() => db.ping(), /full/, "and keeps failing");

      db.sql.pragma(`max_page_count = ${pages * 100}`);
      db.ping();
      assert.equal(await users.create({ id: "after", username: "after", passwordHash: "h" }), true);
    } finally {
      db.close();
    }
  });

  it("an empty file is a new database to open, but not a backup to restore", () => {
    const dir = mkdtempSync(join(tmpdir(), "convoy-inspect-"));
    try {
      const file = join(dir, "empty.db");
      writeFileSync(file, "");
      const sql = openConnection(file);
      try {
        assert.deepEqual(inspect(sql, file), { version: 0 });
        assert.throws(() => inspect(sql, file, { existing: true }), /is empty, not a Convoy database/);
      } finally {
        sql.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
