// For the test and bench workspaces only: the store contract suite and the store factories it runs
// against, the Redis connections the redis-wait bench measures, and the ride geometry the gap-check bench measures.
export { describeStores } from "./stores/store-contract.ts";
export { createEmbeddedStores } from "./stores/embedded.ts";
export { openDatabase } from "./stores/sqlite/database.ts";
export { createRedisStores } from "./stores/redis/index.ts";
export { createRedisLocationStore } from "./stores/redis/locations.ts";
export { bareIds, hashTags } from "./stores/redis/keys.ts";
export { connectRedis, positionNotices } from "./redis.ts";
export { createLogger } from "./logger.ts";
export { MIGRATIONS } from "./stores/sqlite/schema.ts";
export { createGapWatch } from "./rides/gaps.ts";
export { Trail } from "./rides/trail.ts";
