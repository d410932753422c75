// The Redis connection the stores share, and Lua scripts run by their SHA1
// (loaded again after a Redis restart, which forgets them).
import { createHash } from "node:crypto";
import type { createClient } from "redis";

export type RedisClient = ReturnType<typeof createClient>;

export interface Script {
  run(keys: string[], args: Array<string | number>): Promise<unknown>;
}

export function defineScript(client: RedisClient, lua: string): Script {
  const sha = createHash("sha1").update(lua).digest("hex");
  return {
    async run(keys, args) {
      const options = { keys, arguments: args.map(String) };
      try {
        return await client.evalSha(sha, options);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
        return client.eval(lua, options);
      }
    },
  };
}
