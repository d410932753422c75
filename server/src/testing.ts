// For the test workspace only: the store contract suite and the store factories it runs against.
export { describeStores } from "./stores/store-contract.ts";
export { createMemoryStores } from "./stores/memory/index.ts";
export { createRedisStores } from "./stores/redis/index.ts";
