import { describeStores } from "./store-contract.ts";
import { createMemoryStores } from "./memory/index.ts";

describeStores("memory", async () => createMemoryStores({ messagesPerGroup: 1000 }));
