// A stored direct message for tests: from "friend" to "me" unless told;
// ids sort in send order, as the server's do.
import type { DirectMessage } from "@convoy/shared";

export function directMessage(n: number, fields: Partial<DirectMessage> = {}): DirectMessage {
  return {
    id: String(n).padStart(12, "0"),
    userId: "friend",
    username: "friend",
    toUserId: "me",
    text: `dm ${n}`,
    ts: n,
    clientMsgId: `server-${n}`,
    ...fields,
  };
}
