import type { Stores } from "../types.ts";
import { createMemoryGroupStore } from "./groups.ts";
import { createMemoryLocationStore } from "./locations.ts";
import { createMemoryMessageStore } from "./messages.ts";
import { createMemoryPresenceStore } from "./presence.ts";
import { createMemoryUserStore } from "./users.ts";

/** Embedded mode: everything in this process, gone on restart. */
export function createMemoryStores(options: { messagesPerGroup: number }): Stores {
  return {
    users: createMemoryUserStore(),
    groups: createMemoryGroupStore(),
    messages: createMemoryMessageStore(options.messagesPerGroup),
    presence: createMemoryPresenceStore(),
    locations: createMemoryLocationStore(),
    async ping() {},
    async close() {},
  };
}
