// Direct messages between two users who share a group. A conversation's
// messages live in the message store under a key made of both user ids, so
// they get the group chat's ordering, idempotent retries and pages.
import type { ChatMessage, Conversation, DirectMessage, SendDirect, User } from "@convoy/shared";
import type { Clock } from "../clock.ts";
import { AppError } from "../errors.ts";
import type { ConversationStore, GroupStore, MessageStore, UserStore } from "../stores/types.ts";

/** The same key whoever of the two asks; it never looks like a group id (those are UUIDs). */
const conversationKey = (a: string, b: string): string => (a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`);

const toDirect = (message: ChatMessage, toUserId: string): DirectMessage => ({
  id: message.id,
  userId: message.userId,
  username: message.username,
  toUserId,
  text: message.text,
  ts: message.ts,
  clientMsgId: message.clientMsgId,
});

/** The recipient of a stored message of the conversation between `me` and `other`. */
const recipientOf = (message: ChatMessage, me: string, other: string) => (message.userId === me ? other : me);

export function createDirectMessages(
  messages: MessageStore,
  conversations: ConversationStore,
  groups: GroupStore,
  users: UserStore,
  clock: Clock,
) {
  /** NOT_FOUND for an unknown user, FORBIDDEN for oneself or someone who shares no group. */
  async function requirePartner(me: User, otherId: string): Promise<User> {
    if (otherId === me.id) throw new AppError("FORBIDDEN", "a direct message goes to someone else");
    const [other] = await users.findMany([otherId]);
    if (!other) throw new AppError("NOT_FOUND", "no such user");
    const [mine, theirs] = await Promise.all([groups.groupIdsOf(me.id), groups.groupIdsOf(otherId)]);
    const shared = new Set(mine);
    if (!theirs.some((groupId) => shared.has(groupId)))
      throw new AppError("FORBIDDEN", "you can message only people you share a group with");
    return other;
  }

  /** Reading needs no shared group any more: what was said stays readable by both. */
  async function requireKnown(otherId: string): Promise<void> {
    const [other] = await users.findMany([otherId]);
    if (!other) throw new AppError("NOT_FOUND", "no such user");
  }

  return {
    async send(me: User, input: SendDirect): Promise<{ message: DirectMessage; isNew: boolean }> {
      await requirePartner(me, input.toUserId);
      const { message, isNew } = await messages.append({
        groupId: conversationKey(me.id, input.toUserId),
        userId: me.id,
        username: me.username,
        text: input.text,
        clientMsgId: input.clientMsgId,
        ts: clock.now(),
      });
      if (isNew) await conversations.touch(me.id, input.toUserId, message.ts);
      return { message: toDirect(message, input.toUserId), isNew };
    },

    /** After `afterId`, or before `beforeId` (the newest page when null); oldest first. */
    async page(
      me: User,
      otherId: string,
      cursor: { afterId: string } | { beforeId: string | null },
      limit: number,
    ): Promise<{ messages: DirectMessage[]; hasMore: boolean }> {
      await requireKnown(otherId);
      const key = conversationKey(me.id, otherId);
      const page =
        "afterId" in cursor
          ? await messages.after(key, cursor.afterId, limit)
          : await messages.before(key, cursor.beforeId, limit);
      return {
        messages: page.messages.map((m) => toDirect(m, recipientOf(m, me.id, otherId))),
        hasMore: page.hasMore,
      };
    },

    /** The user's conversations with their newest message, the most recent first. */
    async conversations(me: User, limit: number): Promise<Conversation[]> {
      const partnerIds = await conversations.partnersOf(me.id, limit);
      const [partners, newest] = await Promise.all([
        users.findMany(partnerIds),
        Promise.all(partnerIds.map((id) => messages.latest(conversationKey(me.id, id), 1))),
      ]);
      const names = new Map(partners.map((u) => [u.id, u.username]));
      return partnerIds.flatMap((userId, i) => {
        const last = newest[i]![0];
        return last
          ? [
              {
                userId,
                username: names.get(userId) ?? "",
                lastMessage: toDirect(last, recipientOf(last, me.id, userId)),
              },
            ]
          : [];
      });
    },
  };
}
export type DirectMessages = ReturnType<typeof createDirectMessages>;
