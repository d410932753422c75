// The entry point's commands besides serving: `backup <file>` and `restore <file>`
// of embedded mode's database in DATA_DIR. Each prints one line and exits.
import type { Config } from "./config.ts";
import { StartupError } from "./errors.ts";
import { backupDatabase, restoreDatabase } from "./stores/sqlite/backup.ts";

const USAGE = "usage: main.js [backup <file> | restore <file>] (no command: serve)";

/** Runs the command named in `args`; false when there is none (serve). */
export async function runCommand(args: readonly string[], config: Config): Promise<boolean> {
  const [command, file, ...rest] = args;
  if (command === undefined) return false;
  if ((command !== "backup" && command !== "restore") || !file || rest.length > 0)
    throw new StartupError(USAGE);
  if (config.redisUrl || config.redisClusterNodes || config.dataDir === null) {
    throw new StartupError(
      `${command} is for embedded mode's DATA_DIR; with REDIS_URL, back up Redis (its RDB or AOF files)`,
    );
  }
  if (command === "backup") {
    const copy = await backupDatabase(config.dataDir, file);
    console.log(`backup written to ${copy.file} (${copy.bytes} bytes, schema version ${copy.schemaVersion})`);
  } else {
    const copy = await restoreDatabase(config.dataDir, file);
    const kept = copy.replacedKeptAs ? `; the database it replaced is kept as ${copy.replacedKeptAs}` : "";
    console.log(
      `restored ${copy.file} from ${file} (schema version ${copy.schemaVersion})${kept}; start Convoy to use it`,
    );
  }
  return true;
}
