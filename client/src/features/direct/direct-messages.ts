// Direct messages on /chat: the user's conversations, the messages of those
// held here, the outbox, read marks, and catch-up after every reconnect, with
// the group chat's guarantees (the same outbox, merge and read marks). A
// conversation is held once it is opened or has something new: its newest
// page first, then everything after the newest id known complete.
import { LIMITS, type Conversation, type DirectMessage } from "@convoy/shared";
import { computed, signal, type ReadonlySignal } from "@preact/signals";
import type { Clock } from "../../net/clock.ts";
import { request, retryDelay } from "../../net/request.ts";
import type { ChatSocket } from "../../net/socket-port.ts";
import type { DurableQueue } from "../../net/durable-queue.ts";
import type { JsonStorage } from "../../net/storage.ts";
import { createTimers } from "../../net/timers.ts";
import { catchUp } from "../chat/catch-up.ts";
import { countUnread, withMessages } from "../chat/merge.ts";
import { createOutbox, type OutgoingTo } from "../chat/outbox.ts";
import { createReadMarks } from "../chat/read-marks.ts";
import type { Feature } from "../feature.ts";
import { mergeConversations } from "./conversations.ts";

export type OutgoingDirect = OutgoingTo<{ toUserId: string }>;

/** The first page of a conversation, as many as a group's join brings. */
const FIRST_PAGE = LIMITS.joinHistory;
const EARLIER_PAGE = 50;
const RETRY_LIST_MS = 3000;
/** Ids are a conversation's sequence numbers (1, 2, …): everything comes after this one. */
const BEFORE_ANY = "0";

export interface DirectMessages extends Feature {
  /** The most recent first. */
  conversations: ReadonlySignal<Conversation[]>;
  /** Other user's id → the messages held here, oldest first. */
  messagesByUser: ReadonlySignal<Record<string, DirectMessage[]>>;
  /** Whether older messages exist before the oldest held; missing until the first page came. */
  hasEarlier: ReadonlySignal<Record<string, boolean>>;
  outbox: ReadonlySignal<OutgoingDirect[]>;
  /** Other user's id → id of the newest message the user has seen. */
  lastRead: ReadonlySignal<Record<string, string>>;
  /** The conversation on screen, or null for the list. */
  openUserId: ReadonlySignal<string | null>;
  /** Messages from others not yet seen, over every conversation. */
  unreadTotal: ReadonlySignal<number>;
  /** The other user's name, as far as known. */
  nameOf(userId: string): string;
  /** Shows the conversation with `userId` (the user picked them: their name is known). */
  open(userId: string, username?: string): void;
  close(): void;
  send(toUserId: string, text: string): void;
  retryMessage(clientMsgId: string): void;
  discardMessage(clientMsgId: string): void;
  /** Rejects when the page could not be fetched. */
  loadEarlier(userId: string): Promise<void>;
  unreadCount(userId: string): number;
  markRead(userId: string): void;
}

export function createDirectMessages({
  socket,
  storage,
  queue,
  clock,
  userId: me,
  newId,
}: {
  socket: ChatSocket;
  storage: JsonStorage;
  /** The user's outbox, kept on the device (outbox-policy.ts). */
  queue: DurableQueue<OutgoingDirect>;
  clock: Clock;
  userId: string;
  newId?: () => string;
}): DirectMessages {
  const userKey = `convoy.${me}`;
  const timers = createTimers(clock);
  const conversations = signal<Conversation[]>([]);
  const messagesByUser = signal<Record<string, DirectMessage[]>>({});
  const hasEarlier = signal<Record<string, boolean>>({});
  const openUserId = signal<string | null>(null);
  const names = signal<Record<string, string>>({});
  const marks = createReadMarks(storage, `${userKey}.dmLastRead`);
  /** Other user → the newest id up to which every message is held (moved by contiguous pages only). */
  const completeThrough = new Map<string, string>();
  /** One sync per conversation and connection: a newer connection's starts afresh. */
  const syncing = new Map<string, { connection: number; done: Promise<void> }>();
  let connection = 0;
  let retryList: number | undefined;
  const outbox = createOutbox({
    socket,
    queue,
    clock,
    conversationOf: (to: { toUserId: string }) => to.toUserId,
    send: ({ toUserId, text, clientMsgId }) => request(socket, "dm:send", { toUserId, text, clientMsgId }),
    onSent: (message) => received(message),
    ...(newId ? { newId } : {}),
  });

  const otherOf = (message: DirectMessage) => (message.userId === me ? message.toUserId : message.userId);
  const unreadCount = (userId: string) =>
    countUnread(messagesByUser.value[userId] ?? [], marks.lastRead.value[userId] ?? "", me);

  function learnName(userId: string, username: string): void {
    if (username && names.value[userId] !== username) names.value = { ...names.value, [userId]: username };
  }

  function add(other: string, incoming: readonly DirectMessage[]): void {
    messagesByUser.value = withMessages(messagesByUser.value, other, incoming);
  }

  /** A message of either side, however it came (dm:new, an ack): shown, and its conversation goes first. */
  function received(message: DirectMessage): void {
    const other = otherOf(message);
    if (message.userId !== me) learnName(other, message.username);
    add(other, [message]);
    const username = names.value[other] ?? "";
    conversations.value = mergeConversations(conversations.value, [
      { userId: other, username, lastMessage: message },
    ]);
    // Sent from another device to someone new here: the server's list knows their name.
    if (!username) void listConversations();
    if (socket.connected && !completeThrough.has(other)) void sync(other);
  }

  /** Newest page the first time; afterwards everything after the newest id known complete. */
  async function syncOnce(other: string): Promise<void> {
    const through = completeThrough.get(other);
    if (through !== undefined) {
      await catchUp(
        through,
        (afterId) => request(socket, "dm:page", { userId: other, afterId }),
        (messages, last) => {
          add(other, messages);
          completeThrough.set(other, last.id);
        },
      );
      return;
    }
    const page = await request(socket, "dm:page", { userId: other, beforeId: null, limit: FIRST_PAGE });
    if (!page.ok) return;
    add(other, page.data.messages);
    completeThrough.set(other, page.data.messages.at(-1)?.id ?? BEFORE_ANY);
    hasEarlier.value = { ...hasEarlier.value, [other]: page.data.hasMore };
  }

  function sync(other: string): Promise<void> {
    const running = syncing.get(other);
    if (running?.connection === connection) return running.done;
    const done = syncOnce(other).finally(() => {
      if (syncing.get(other)?.done === done) syncing.delete(other);
    });
    syncing.set(other, { connection, done });
    return done;
  }

  /** The server's list; a conversation with something new from the other side is fetched too. */
  async function listConversations(): Promise<void> {
    timers.cancel(retryList);
    const listed = await request(socket, "dm:conversations", {});
    if (!listed.ok) {
      const wait = retryDelay(listed.error, RETRY_LIST_MS);
      if (wait !== undefined)
        retryList = timers.after(wait, () => {
          if (socket.connected) void listConversations();
        });
      return;
    }
    for (const c of listed.data.conversations) learnName(c.userId, c.username);
    conversations.value = mergeConversations(conversations.value, listed.data.conversations);
    for (const { userId, lastMessage } of listed.data.conversations) {
      const unseen = lastMessage.userId !== me && lastMessage.id > (marks.lastRead.value[userId] ?? "");
      if (unseen && !completeThrough.has(userId)) void sync(userId);
    }
  }

  const onNew = (message: DirectMessage) => {
    received(message);
    // Sent by this user from another tab or device: no longer outgoing here.
    if (message.userId === me) outbox.delivered(message.toUserId, message.clientMsgId);
  };
  const onConnect = () => {
    connection++;
    outbox.flush();
    const held = new Set(completeThrough.keys());
    if (openUserId.value) held.add(openUserId.value);
    for (const other of held) void sync(other);
    void listConversations();
  };

  return {
    conversations,
    messagesByUser,
    hasEarlier,
    outbox: outbox.messages,
    lastRead: marks.lastRead,
    openUserId,
    unreadTotal: computed(() => Object.keys(messagesByUser.value).reduce((n, u) => n + unreadCount(u), 0)),
    nameOf: (userId) =>
      names.value[userId] || conversations.value.find((c) => c.userId === userId)?.username || "",
    open(userId, username) {
      if (username) learnName(userId, username);
      openUserId.value = userId;
      if (socket.connected && !completeThrough.has(userId)) void sync(userId);
    },
    close() {
      openUserId.value = null;
    },
    send(toUserId, text) {
      outbox.add({ toUserId }, text);
      outbox.flush();
    },
    retryMessage: (clientMsgId) => outbox.retry(clientMsgId),
    discardMessage: (clientMsgId) => outbox.discard(clientMsgId),
    async loadEarlier(userId) {
      const beforeId = messagesByUser.value[userId]?.[0]?.id ?? null;
      const page = await request(socket, "dm:page", { userId, beforeId, limit: EARLIER_PAGE });
      if (!page.ok) throw new Error(page.error.message);
      add(userId, page.data.messages);
      hasEarlier.value = { ...hasEarlier.value, [userId]: page.data.hasMore };
    },
    unreadCount,
    markRead: (userId) => marks.markRead(userId, messagesByUser.value[userId]?.at(-1)?.id),
    start() {
      timers.start();
      outbox.start();
      socket.on("dm:new", onNew);
      socket.on("connect", onConnect);
      if (socket.connected) onConnect();
    },
    stop() {
      socket.off("dm:new", onNew);
      socket.off("connect", onConnect);
      outbox.stop();
      timers.stop();
    },
  };
}
