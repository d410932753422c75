// The embedded mode's SQLite database: opened (or made) in DATA_DIR, checked to
// be Convoy's, migrated forward, and written only through transactions that
// remember a failed write, so that /readyz can say 503 until writes work again.
import { accessSync, closeSync, constants, mkdirSync, openSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { StartupError } from "../../errors.ts";
import { APPLICATION_ID, MIGRATIONS } from "./schema.ts";

export const DATABASE_FILE = "convoy.db";

export interface Database {
  /** The connection; stores prepare their statements on it once. */
  readonly sql: BetterSqlite3.Database;
  /**
   * Wraps `work` in one IMMEDIATE transaction: all of it is stored, or none. A
   * failure other than a constraint marks writes as failing until one succeeds.
   */
  writer<A extends unknown[], R>(work: (...args: A) => R): (...args: A) => R;
  /** Throws while writes fail: after a failed write, each call tries a small write of its own. */
  ping(): void;
  close(): void;
}

/** DATA_DIR's database file. */
export const databaseIn = (dataDir: string): string => join(resolve(dataDir), DATABASE_FILE);

/** Opens DATA_DIR's database, making the directory (mode 0700) and the file (0600) on first start. */
export function openDataDir(dataDir: string): Database {
  const file = databaseIn(dataDir);
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    accessSync(dirname(file), constants.W_OK);
    // Made here, not by SQLite, so that it is private from the start; its -wal and -shm files copy this mode.
    closeSync(openSync(file, "a", 0o600));
  } catch (err) {
    throw new StartupError(`DATA_DIR ${dirname(file)} cannot be used: ${reason(err)}`);
  }
  assertNotInUse(file);
  return openDatabase(file);
}

/** Opens a database file (or ":memory:", for tests) and brings its schema up to date. */
export function openDatabase(filename: string): Database {
  const sql = openConnection(filename);
  try {
    const { version } = inspect(sql, filename);
    for (let next = version; next < MIGRATIONS.length; next++) {
      sql
        .transaction(() => {
          sql.exec(MIGRATIONS[next]!);
          sql.pragma(`application_id = ${APPLICATION_ID}`);
          sql.pragma(`user_version = ${next + 1}`);
        })
        .immediate();
    }
    // WAL: readers (a backup) never block the writer. FULL: a commit is on disk before the
    // ack, so an acknowledged message survives a power cut too, not only a killed process.
    const mode = sql.pragma("journal_mode = WAL", { simple: true });
    // The in-use check relies on WAL's lasting shared lock; an in-memory database has no file.
    if (mode !== "wal" && filename !== ":memory:")
      throw new Error(`journal mode is ${String(mode)}, not wal`);
    sql.pragma("synchronous = FULL");
    sql.pragma("busy_timeout = 1000");
    sql.pragma("journal_size_limit = 33554432");
  } catch (err) {
    sql.close();
    throw err instanceof StartupError ? err : unusable(filename, err);
  }
  return wrap(sql);
}

export function openConnection(
  filename: string,
  options: BetterSqlite3.Options = {},
): BetterSqlite3.Database {
  try {
    return new BetterSqlite3(filename, options);
  } catch (err) {
    throw unusable(filename, err);
  }
}

/**
 * Checks that a connection holds a Convoy database this version can read. A new
 * empty file is one, unless `existing` asks for one that Convoy has written (a backup).
 */
export function inspect(
  sql: BetterSqlite3.Database,
  filename: string,
  { existing = false } = {},
): { version: number } {
  let appId: number, version: number, tables: number;
  try {
    appId = sql.pragma("application_id", { simple: true }) as number;
    version = sql.pragma("user_version", { simple: true }) as number;
    tables = sql.prepare("SELECT count(*) FROM sqlite_schema").pluck().get() as number;
  } catch (err) {
    throw new StartupError(`${filename} is not a Convoy database: ${reason(err)}`);
  }
  const fresh = appId === 0 && version === 0 && tables === 0;
  if (fresh && existing) throw new StartupError(`${filename} is empty, not a Convoy database`);
  if (!fresh && appId !== APPLICATION_ID) {
    throw new StartupError(`${filename} is not a Convoy database (it is another application's SQLite file)`);
  }
  if (version > MIGRATIONS.length) {
    throw new StartupError(
      `${filename} was written by a newer Convoy (schema version ${version}; this one knows up to ${MIGRATIONS.length}): run that version, or restore a backup made for this one`,
    );
  }
  return { version };
}

/**
 * Every open connection to a WAL database holds a shared lock on it, so an
 * exclusive lock is granted only when no other process (a running Convoy) has
 * it open. The OS drops a killed process's locks, so a crash never leaves it held.
 */
export function assertNotInUse(file: string): void {
  lockExclusively(file).close();
}

/**
 * A connection that holds `file` exclusively until closed, so that no Convoy
 * starts on it meanwhile; throws when one is running (or the file is not a database).
 */
export function lockExclusively(file: string): BetterSqlite3.Database {
  const lock = openConnection(file, { timeout: 1000 });
  try {
    lock.pragma("locking_mode = EXCLUSIVE");
    lock.exec("BEGIN EXCLUSIVE; COMMIT");
    return lock;
  } catch (err) {
    lock.close();
    throw unusable(file, err);
  }
}

function wrap(sql: BetterSqlite3.Database): Database {
  let writesFailing = false;
  const probe = sql.prepare("INSERT OR REPLACE INTO settings (name, value) VALUES ('write-probe', ?)");

  const writer = <A extends unknown[], R>(work: (...args: A) => R) => {
    const transaction = sql.transaction(work);
    return (...args: A): R => {
      try {
        const result = transaction.immediate(...args);
        writesFailing = false;
        return result;
      } catch (err) {
        if (isStorageFailure(err)) writesFailing = true;
        throw err;
      }
    };
  };
  const probeWrite = writer(() => probe.run(String(Date.now())));

  return {
    sql,
    writer,
    ping() {
      if (writesFailing) probeWrite();
      else sql.pragma("user_version", { simple: true });
    },
    close() {
      sql.close();
    },
  };
}

export class DatabaseInUse extends StartupError {
  override name = "DatabaseInUse";
}

/** The one line an operator reads when a database file cannot be used. */
function unusable(file: string, err: unknown): StartupError {
  const code = err instanceof BetterSqlite3.SqliteError ? err.code : "";
  if (code === "SQLITE_BUSY") {
    return new DatabaseInUse(
      `${file} is in use by another process (is Convoy already running on this DATA_DIR?)`,
    );
  }
  if (code === "SQLITE_NOTADB") return new StartupError(`${file} is not a Convoy database: ${reason(err)}`);
  return new StartupError(`${file} cannot be opened: ${reason(err)}`);
}

/** SQLite could not write (a full disk, an I/O error, a read-only file); a constraint or a bug is not that. */
const isStorageFailure = (err: unknown) =>
  err instanceof BetterSqlite3.SqliteError && !err.code.startsWith("SQLITE_CONSTRAINT");

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));
