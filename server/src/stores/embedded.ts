// Embedded mode (no REDIS_URL): what users store (accounts, groups, messages,
// rides, direct messages, SOS alerts) in the SQLite database; presence and live
// positions in this process, rebuilt by reconnecting clients after a restart.
import { createMemoryLocationStore } from "./memory/locations.ts";
import { createMemoryPresenceStore } from "./memory/presence.ts";
import { createSqliteSessionStore } from "./sqlite/sessions.ts";
import type { Database } from "./sqlite/database.ts";
import { createSqliteConversationStore } from "./sqlite/conversations.ts";
import { createSqliteGroupStore } from "./sqlite/groups.ts";
import { createSqliteMessageStore } from "./sqlite/messages.ts";
import { createSqliteRideStore } from "./sqlite/rides.ts";
import { createSqliteSosStore } from "./sqlite/sos.ts";
import { createSqliteUserStore } from "./sqlite/users.ts";
import type { Stores } from "./types.ts";

/** The stores own the database from here: close() closes it. */
export function createEmbeddedStores(db: Database, options: { messagesPerGroup: number }): Stores {
  return {
    users: createSqliteUserStore(db),
    sessions: createSqliteSessionStore(db),
    groups: createSqliteGroupStore(db),
    messages: createSqliteMessageStore(db, options.messagesPerGroup),
    presence: createMemoryPresenceStore(),
    locations: createMemoryLocationStore(),
    rides: createSqliteRideStore(db),
    conversations: createSqliteConversationStore(db),
    sos: createSqliteSosStore(db),
    async ping() {
      db.ping();
    },
    async close() {
      db.close();
    },
  };
}
