// The /chat namespace: schemas and event maps.
import * as v from "valibot";
import type { Ack, InputSchemas } from "./contract.ts";
import { LIMITS } from "./limits.ts";
import { GroupId, GroupRef, MessageId, wellFormed } from "./primitives.ts";
import { directInputs, type DirectClientEvents, type DirectServerEvents } from "./direct.ts";
import { sessionInputs, type SessionClientEvents, type SessionServerEvents } from "./session.ts";

export interface ChatMessage {
  /** Sorts (as a string) in send order within its group. */
  id: string;
  groupId: string;
  userId: string;
  username: string;
  text: string;
  /** Server time, ms since epoch. */
  ts: number;
  clientMsgId: string;
}

export const SendMessage = v.strictObject({
  groupId: GroupId,
  text: v.pipe(v.string(), wellFormed, v.trim(), v.minLength(1), v.maxLength(LIMITS.messageText)),
  /** Chosen by the client; a retry with the same one returns the stored message. */
  clientMsgId: v.pipe(v.string(), wellFormed, v.minLength(1), v.maxLength(LIMITS.clientMsgId)),
});
export type SendMessage = v.InferOutput<typeof SendMessage>;

export const MessagesSince = v.strictObject({
  groupId: GroupId,
  /** The id of the newest message the client has. */
  afterId: MessageId,
  limit: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(LIMITS.pageMax))),
});
export type MessagesSince = v.InferOutput<typeof MessagesSince>;

export const Typing = v.strictObject({ groupId: GroupId, typing: v.boolean() });
export type Typing = v.InferOutput<typeof Typing>;

export interface MessagePage {
  messages: ChatMessage[];
  hasMore: boolean;
}

/** Sent by clients on /chat. */
export interface ChatClientEvents extends SessionClientEvents, DirectClientEvents {
  "room:join": (input: GroupRef, ack: Ack<{ groupId: string; messages: ChatMessage[] }>) => void;
  "room:leave": (input: GroupRef, ack: Ack<{ groupId: string }>) => void;
  "message:send": (input: SendMessage, ack: Ack<{ message: ChatMessage }>) => void;
  "messages:since": (input: MessagesSince, ack: Ack<MessagePage & { groupId: string }>) => void;
  /** No ack: fire-and-forget. */
  typing: (input: Typing) => void;
}

export interface TypingNotice {
  groupId: string;
  userId: string;
  username: string;
  typing: boolean;
}

/** Sent by the server on /chat. */
export interface ChatServerEvents extends SessionServerEvents, DirectServerEvents {
  "message:new": (message: ChatMessage) => void;
  typing: (notice: TypingNotice) => void;
}

export const chatInputs = {
  ...sessionInputs,
  ...directInputs,
  "room:join": GroupRef,
  "room:leave": GroupRef,
  "message:send": SendMessage,
  "messages:since": MessagesSince,
  typing: Typing,
} satisfies InputSchemas<ChatClientEvents>;
