// A stored chat message for tests; ids sort in send order, as the server's do.
import type { ChatMessage } from "@convoy/shared";

export function chatMessage(n: number, fields: Partial<ChatMessage> = {}): ChatMessage {
  const id = String(n).padStart(12, "0");
  return {
    id,
    groupId: "g1",
    userId: "friend",
    username: "friend",
    text: `message ${n}`,
    ts: n,
    clientMsgId: `server-${n}`,
    ...fields,
  };
}
