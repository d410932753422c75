// `backup <file>` and `restore <file>`: the embedded database copied with
// SQLite's online backup API. A backup runs beside a live server (WAL readers
// never block it) and is one consistent snapshot; a restore needs the server
// stopped, and keeps the database it replaces beside it.
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { StartupError } from "../../errors.ts";
import { DatabaseInUse, databaseIn, inspect, lockExclusively, openConnection } from "./database.ts";

export interface CopyReport {
  file: string;
  bytes: number;
  schemaVersion: number;
  /** restore: where the database it replaced was moved, if there was one. */
  replacedKeptAs?: string;
}

export async function backupDatabase(dataDir: string, target: string): Promise<CopyReport> {
  const source = databaseIn(dataDir);
  if (!existsSync(source))
    throw new StartupError(`no Convoy database in DATA_DIR (${source} does not exist)`);
  const file = resolve(target);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (isDatabaseOrItsLog(file, source))
    throw new StartupError(`${file} is the live database: back up to another file`);
  const { schemaVersion } = await copyChecked(source, `${file}.partial`, { readonly: false });
  renameSync(`${file}.partial`, file);
  return { file, bytes: statSync(file).size, schemaVersion };
}

export async function restoreDatabase(dataDir: string, backup: string): Promise<CopyReport> {
  const from = resolve(backup);
  if (!existsSync(from)) throw new StartupError(`${from} does not exist`);
  const target = databaseIn(dataDir);
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  // Held until the new file is in place, so that no Convoy starts on the old one meanwhile.
  let lock: BetterSqlite3.Database | null = null;
  if (existsSync(target)) {
    try {
      lock = lockExclusively(target);
    } catch (err) {
      // A damaged database cannot be in use: it is moved aside below like any other.
      if (err instanceof DatabaseInUse) throw err;
    }
  }
  try {
    const { schemaVersion } = await copyChecked(from, `${target}.restoring`, { readonly: true });
    const replacedKeptAs = existsSync(target) ? `${target}.before-restore-${Date.now()}` : undefined;
    if (replacedKeptAs) {
      // The old write-ahead log goes with its database, never onto the restored one.
      renameSync(target, replacedKeptAs);
      if (existsSync(`${target}-wal`)) renameSync(`${target}-wal`, `${replacedKeptAs}-wal`);
      rmSync(`${target}-shm`, { force: true });
    }
    renameSync(`${target}.restoring`, target);
    return {
      file: target,
      bytes: statSync(target).size,
      schemaVersion,
      ...(replacedKeptAs ? { replacedKeptAs } : {}),
    };
  } finally {
    lock?.close();
  }
}

/**
 * Copies a Convoy database into `partial` and checks the copy. The live one is
 * opened read-write (a read-only connection to a WAL file needs its -shm); a backup file read-only.
 */
async function copyChecked(
  from: string,
  partial: string,
  { readonly }: { readonly: boolean },
): Promise<{ schemaVersion: number }> {
  const source = openConnection(from, { fileMustExist: true, readonly });
  try {
    inspect(source, from, { existing: true });
    await copyInto(source, partial);
  } finally {
    source.close();
  }
  return settle(partial);
}

/** Every page in one step: the copy is one read transaction, one snapshot, never restarted by a write. */
async function copyInto(source: BetterSqlite3.Database, partial: string): Promise<void> {
  // Made private before SQLite writes to it: the copy holds password hashes and the signing key.
  closeSync(openSync(partial, "w", 0o600));
  try {
    await source.backup(partial, { progress: () => 0x7fffffff });
    chmodSync(partial, 0o600);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err instanceof StartupError
      ? err
      : new StartupError(`copying into ${partial} failed: ${String(err)}`);
  }
}

/** Checks a fresh copy page by page and makes it one self-contained file (no -wal beside it). */
function settle(file: string): { schemaVersion: number } {
  const copy = openConnection(file, { fileMustExist: true });
  try {
    const { version } = inspect(copy, file, { existing: true });
    const check = copy.pragma("integrity_check", { simple: true });
    if (check !== "ok") throw new StartupError(`the copy in ${file} is damaged: ${String(check)}`);
    copy.pragma("journal_mode = DELETE");
    return { schemaVersion: version };
  } catch (err) {
    copy.close();
    rmSync(file, { force: true });
    throw err;
  } finally {
    if (copy.open) copy.close();
  }
}

/** True when `file` is the database or one of its companion files, through any path. */
function isDatabaseOrItsLog(file: string, database: string): boolean {
  const real = (path: string) => join(realpathSync(dirname(path)), basename(path));
  const db = real(database);
  return [db, `${db}-wal`, `${db}-shm`, `${db}-journal`].includes(real(file));
}
