// The Redis connection the stores share, and Lua scripts run by their SHA1
// (loaded again after a Redis restart, which forgets them). A single Redis and
// a Redis Cluster client both fit RedisClient: the commands the stores use,
// each routed by its first key on a cluster.
import { createHash } from "node:crypto";
import type { createClient } from "redis";

type SingleClient = ReturnType<typeof createClient>;

/** What the stores send on their own. */
type Command =
  | "get"
  | "set"
  | "del"
  | "incr"
  | "hGet"
  | "hSet"
  | "hSetNX"
  | "hDel"
  | "hExists"
  | "hGetAll"
  | "hVals"
  | "hmGet"
  | "sAdd"
  | "sRem"
  | "sIsMember"
  | "sMembers"
  | "zAdd"
  | "zRem"
  | "zRange"
  | "zRangeByScore"
  | "lRange"
  | "eval"
  | "evalSha"
  | "ping";

/** What the stores queue in a MULTI (on a cluster, every key of one MULTI in one slot). */
type MultiCommand =
  | "get"
  | "set"
  | "del"
  | "hSet"
  | "hDel"
  | "hGetAll"
  | "hVals"
  | "hmGet"
  | "sAdd"
  | "sRem"
  | "zAdd"
  | "zRem"
  | "rPush"
  | "pExpireAt";

/** A MULTI being built; replies come back untyped, each store knows their shape. */
export type RedisMulti = { [K in MultiCommand]: (...args: Parameters<SingleClient[K]>) => RedisMulti } & {
  exec(): Promise<unknown>;
  execAsPipeline(): Promise<unknown>;
};

export type RedisClient = Pick<SingleClient, Command> & { multi(): RedisMulti };

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
