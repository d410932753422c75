// `backup <file>` and `restore <file>`: the embedded database copied with
// SQLite's online backup API. A backup runs beside a live server (WAL readers
// never block it) and is one consistent snapshot; a restore needs the server stopped.
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { StartupError } from "../../errors.ts";
import { assertNotInUse, databaseIn, inspect, openConnection } from "./database.ts";

export interface CopyReport {
  file: string;
  bytes: number;
  schemaVersion: number;
}

export async function backupDatabase(dataDir: string, target: string): Promise<CopyReport> {
  const source = databaseIn(dataDir);
  if (!existsSync(source))
    throw new StartupError(`no Convoy database in DATA_DIR (${source} does not exist)`);
  const file = resolve(target);
  const partial = `${file}.partial`;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const live = openConnection(source, { fileMustExist: true });
  try {
    inspect(live, source);
    // Every page in one step: the copy is one read transaction, one snapshot, never restarted by a write.
    await live.backup(partial, { progress: () => 0x7fffffff });
  } catch (err) {
    rmSync(partial, { force: true });
    throw err instanceof StartupError ? err : new StartupError(`backup to ${file} failed: ${String(err)}`);
  } finally {
    live.close();
  }
  chmodSync(partial, 0o600);
  const { schemaVersion } = settle(partial);
  renameSync(partial, file);
  return { file, bytes: statSync(file).size, schemaVersion };
}

export async function restoreDatabase(dataDir: string, backup: string): Promise<CopyReport> {
  const from = resolve(backup);
  if (!existsSync(from)) throw new StartupError(`${from} does not exist`);
  const target = databaseIn(dataDir);
  if (existsSync(target)) assertNotInUse(target);
  else mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  const staged = `${target}.restoring`;
  const copy = openConnection(from, { fileMustExist: true, readonly: true });
  try {
    inspect(copy, from);
    await copy.backup(staged, { progress: () => 0x7fffffff });
  } catch (err) {
    rmSync(staged, { force: true });
    throw err instanceof StartupError ? err : new StartupError(`restore from ${from} failed: ${String(err)}`);
  } finally {
    copy.close();
  }
  chmodSync(staged, 0o600);
  const { schemaVersion } = settle(staged);
  // The old database's WAL must not be replayed onto the restored file.
  rmSync(`${target}-wal`, { force: true });
  rmSync(`${target}-shm`, { force: true });
  renameSync(staged, target);
  return { file: target, bytes: statSync(target).size, schemaVersion };
}

/** Checks a fresh copy page by page and makes it one self-contained file (no -wal beside it). */
function settle(file: string): { schemaVersion: number } {
  const copy = openConnection(file, { fileMustExist: true });
  try {
    const { version } = inspect(copy, file);
    const check = copy.pragma("integrity_check", { simple: true });
    if (check !== "ok") throw new StartupError(`the copy in ${file} is damaged: ${String(check)}`);
    copy.pragma("journal_mode = DELETE");
    return { schemaVersion: version };
  } finally {
    copy.close();
  }
}
