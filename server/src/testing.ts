// For the test workspace only: the store contract suite and the store factories it runs against.
export { describeStores } from "./stores/store-contract.ts";
export { createEmbeddedStores } from "./stores/embedded.ts";
export { openDatabase } from "./stores/sqlite/database.ts";
export { createRedisStores } from "./stores/redis/index.ts";
export { MIGRATIONS } from "./stores/sqlite/schema.ts";
