// Direct messages, on /chat: between two users who share a group, with the
// group chat's guarantees (stored, idempotent per sender and clientMsgId,
// catch-up after a reconnect, every device of both users).
import * as v from "valibot";
import type { Ack } from "./contract.ts";
import { LIMITS } from "./limits.ts";
import { Id, MessageId, NoInput, wellFormed } from "./primitives.ts";

export interface DirectMessage {
  /** Sorts (as a string) in send order within its conversation. */
  id: string;
  /** The sender. */
  userId: string;
  username: string;
  /** The recipient. */
  toUserId: string;
  text: string;
  /** Server time, ms since epoch. */
  ts: number;
  clientMsgId: string;
}

export interface Conversation {
  /** The other user. */
  userId: string;
  username: string;
  /** The newest message either of them sent. */
  lastMessage: DirectMessage;
}

export const SendDirect = v.strictObject({
  toUserId: Id,
  text: v.pipe(v.string(), wellFormed, v.trim(), v.minLength(1), v.maxLength(LIMITS.messageText)),
  clientMsgId: v.pipe(v.string(), wellFormed, v.minLength(1), v.maxLength(LIMITS.clientMsgId)),
});
export type SendDirect = v.InferOutput<typeof SendDirect>;

const Limit = v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(LIMITS.pageMax)));

/** After `afterId` (catch-up), or before `beforeId` (older; the newest page when null). */
export const DirectPage = v.union([
  v.strictObject({ userId: Id, afterId: MessageId, limit: Limit }),
  v.strictObject({ userId: Id, beforeId: v.nullable(MessageId), limit: Limit }),
]);
export type DirectPage = v.InferOutput<typeof DirectPage>;

/** Sent by clients on /chat (spread into its event map). */
export interface DirectClientEvents {
  /** FORBIDDEN unless the two share a group, and to oneself; NOT_FOUND for an unknown user. */
  "dm:send": (input: SendDirect, ack: Ack<{ message: DirectMessage }>) => void;
  /** A page of the conversation with `userId`, oldest first inside it. */
  "dm:page": (
    input: DirectPage,
    ack: Ack<{ userId: string; messages: DirectMessage[]; hasMore: boolean }>,
  ) => void;
  /** The user's conversations, the most recent first. */
  "dm:conversations": (input: NoInput, ack: Ack<{ conversations: Conversation[] }>) => void;
}

/** Sent by the server on /chat to every socket of the sender and of the recipient. */
export interface DirectServerEvents {
  "dm:new": (message: DirectMessage) => void;
}

export const directInputs = {
  "dm:send": SendDirect,
  "dm:page": DirectPage,
  "dm:conversations": NoInput,
};
