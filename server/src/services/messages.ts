// Chat history: append (idempotent per sender and clientMsgId), latest, pages.
import type { ChatMessage, MessagePage, SendMessage, User } from "@convoy/shared";
import type { Clock } from "../clock.ts";
import type { MessageStore } from "../stores/types.ts";
import type { Groups } from "./groups.ts";

export function createMessages(store: MessageStore, groups: Groups, clock: Clock) {
  return {
    async latest(user: User, groupId: string, limit: number): Promise<ChatMessage[]> {
      await groups.requireMember(groupId, user.id);
      return store.latest(groupId, limit);
    },

    async send(user: User, input: SendMessage) {
      await groups.requireMember(input.groupId, user.id);
      return store.append({
        groupId: input.groupId,
        userId: user.id,
        username: user.username,
        text: input.text,
        clientMsgId: input.clientMsgId,
        ts: clock.now(),
      });
    },

    async since(user: User, groupId: string, afterId: string, limit: number): Promise<MessagePage> {
      await groups.requireMember(groupId, user.id);
      return store.after(groupId, afterId, limit);
    },

    async history(user: User, groupId: string, before: string | null, limit: number): Promise<MessagePage> {
      await groups.requireMember(groupId, user.id);
      return store.before(groupId, before, limit);
    },
  };
}
export type Messages = ReturnType<typeof createMessages>;
