// Chat for every group the user belongs to: history, live messages, the
// outbox, read marks, and catch-up after every reconnect. A message is shown
// once however it arrives (mergeMessages dedupes by id).
import { LIMITS, type ChatMessage, type MessagePage, type TypingNotice } from "@convoy/shared";
import { signal, type ReadonlySignal } from "@preact/signals";
import type { Clock } from "../../net/clock.ts";
import type { Api } from "../../net/http.ts";
import { request, retryDelay } from "../../net/request.ts";
import type { ChatSocket } from "../../net/socket-port.ts";
import type { DurableQueue } from "../../net/durable-queue.ts";
import type { JsonStorage } from "../../net/storage.ts";
import { createTimers } from "../../net/timers.ts";
import type { ByGroup } from "../by-group.ts";
import type { Feature } from "../feature.ts";
import { catchUp } from "./catch-up.ts";
import { countUnread, withMessages } from "./merge.ts";
import { createOutbox, type OutgoingMessage } from "./outbox.ts";
import { createReadMarks } from "./read-marks.ts";
import { createTyping } from "./typing.ts";

const RETRY_JOIN_MS = 3000;

export interface Chat extends Feature {
  messagesByGroup: ReadonlySignal<Record<string, ChatMessage[]>>;
  /** Whether older history exists before the oldest loaded message. */
  hasEarlier: ReadonlySignal<Record<string, boolean>>;
  outbox: ReadonlySignal<OutgoingMessage[]>;
  /** groupId → userId → who is typing, until when. */
  typingByGroup: ReadonlySignal<ByGroup<{ username: string; until: number }>>;
  /** groupId → id of the newest message the user has seen. */
  lastRead: ReadonlySignal<Record<string, string>>;
  /** Receives a group's messages from now on (joining its room whenever connected). */
  followGroup(groupId: string): void;
  sendMessage(groupId: string, text: string): void;
  retryMessage(clientMsgId: string): void;
  discardMessage(clientMsgId: string): void;
  loadEarlier(groupId: string): Promise<void>;
  /** Messages from others after the user's read mark. */
  unreadCount(groupId: string): number;
  markRead(groupId: string): void;
  sendTyping(groupId: string, typing: boolean): void;
  /** The newest id up to which this device holds every message of the group (none yet: undefined). */
  completeThrough(groupId: string): string | undefined;
  /**
   * Shows what an earlier visit kept (the app opened without a network). The
   * next join catches up from `completeThrough`, so no message is skipped.
   */
  restore(groupId: string, messages: readonly ChatMessage[], completeThrough: string | null): void;
}

export function createChat({
  socket,
  storage,
  queue,
  clock,
  api,
  userId,
  newId,
}: {
  socket: ChatSocket;
  storage: JsonStorage;
  /** The user's outbox, kept on the device (outbox-policy.ts). */
  queue: DurableQueue<OutgoingMessage>;
  clock: Clock;
  api: Api;
  userId: string;
  newId?: () => string;
}): Chat {
  const userKey = `convoy.${userId}`;
  const timers = createTimers(clock);
  const messagesByGroup = signal<Record<string, ChatMessage[]>>({});
  const hasEarlier = signal<Record<string, boolean>>({});
  const marks = createReadMarks(storage, `${userKey}.lastRead`);
  const joinedGroups = new Set<string>();
  /** Groups showing messages kept from an earlier visit, with no point known complete among them. */
  const restoredOnly = new Set<string>();
  /**
   * groupId → the newest id up to which this client surely has every message. It
   * moves only through contiguous pages (the first join's latest messages, then
   * `messages:since`), so a catch-up cut short leaves no hole behind.
   */
  const completeThrough = new Map<string, string>();
  const typing = createTyping({ socket, clock });
  const outbox = createOutbox({
    socket,
    queue,
    clock,
    conversationOf: (to: { groupId: string }) => to.groupId,
    send: ({ groupId, text, clientMsgId }) => request(socket, "message:send", { groupId, text, clientMsgId }),
    onSent: (message) => add(message.groupId, [message]),
    ...(newId ? { newId } : {}),
  });

  function add(groupId: string, incoming: readonly ChatMessage[]): void {
    messagesByGroup.value = withMessages(messagesByGroup.value, groupId, incoming);
  }

  async function joinAndCatchUp(groupId: string): Promise<void> {
    const joined = await request(socket, "room:join", { groupId });
    if (!joined.ok) {
      // Without the room this group gets no live messages: try again while connected.
      // A rider in many groups may join faster than the server's event limit.
      const wait = retryDelay(joined.error, RETRY_JOIN_MS);
      if (wait !== undefined)
        timers.after(wait, () => {
          if (socket.connected && joinedGroups.has(groupId)) void joinAndCatchUp(groupId);
        });
      return;
    }
    const syncedThrough = completeThrough.get(groupId);
    if (syncedThrough === undefined && restoredOnly.delete(groupId)) {
      // Kept from an earlier visit with no point known complete: if the newest page does not
      // reach back to them, messages may be missing in between, and nothing would ever fill
      // that hole. The kept ones go; "Load earlier" pages back from the newest page instead.
      const kept = messagesByGroup.value[groupId] ?? [];
      const oldestJoined = joined.data.messages[0]?.id;
      const full = joined.data.messages.length >= LIMITS.joinHistory;
      if (full && oldestJoined !== undefined && kept.every((m) => m.id < oldestJoined))
        messagesByGroup.value = { ...messagesByGroup.value, [groupId]: [] };
    }
    add(groupId, joined.data.messages);
    if (syncedThrough === undefined) {
      // First time: the latest messages are the whole story so far; older ones load on request.
      const newest = joined.data.messages.at(-1)?.id;
      if (newest) completeThrough.set(groupId, newest);
      if (hasEarlier.value[groupId] === undefined)
        hasEarlier.value = {
          ...hasEarlier.value,
          [groupId]: joined.data.messages.length >= LIMITS.joinHistory,
        };
      return;
    }
    // Everything after the last point known complete, page by page; a catch-up cut
    // short resumes from where it stopped, never from the join's newer messages.
    await catchUp(
      syncedThrough,
      (afterId) => request(socket, "messages:since", { groupId, afterId }),
      (messages, last) => {
        add(groupId, messages);
        completeThrough.set(groupId, last.id);
      },
    );
  }

  const onMessage = (message: ChatMessage) => {
    add(message.groupId, [message]);
    // A message from this user sent by another tab, or acked late: no longer outgoing here.
    outbox.delivered(message.groupId, message.clientMsgId);
    typing.received({
      groupId: message.groupId,
      userId: message.userId,
      username: message.username,
      typing: false,
    });
  };
  const onTyping = (notice: TypingNotice) => typing.received(notice);
  const onConnect = () => {
    // Rooms do not survive a reconnect: join again, fetch what was missed, then send what waited.
    void Promise.all([...joinedGroups].map((groupId) => joinAndCatchUp(groupId))).then(() => outbox.flush());
  };

  return {
    messagesByGroup,
    hasEarlier,
    outbox: outbox.messages,
    typingByGroup: typing.byGroup,
    lastRead: marks.lastRead,
    followGroup(groupId) {
      if (joinedGroups.has(groupId)) return;
      joinedGroups.add(groupId);
      if (socket.connected) void joinAndCatchUp(groupId);
    },
    sendMessage(groupId, text) {
      outbox.add({ groupId }, text);
      typing.send(groupId, false);
      outbox.flush();
    },
    retryMessage: (clientMsgId) => outbox.retry(clientMsgId),
    discardMessage: (clientMsgId) => outbox.discard(clientMsgId),
    async loadEarlier(groupId) {
      const oldest = messagesByGroup.value[groupId]?.[0]?.id;
      const query = oldest ? `?before=${oldest}&limit=50` : "?limit=50";
      const page = await api<MessagePage>(
        "GET",
        `/api/groups/${encodeURIComponent(groupId)}/messages${query}`,
      );
      add(groupId, page.messages);
      hasEarlier.value = { ...hasEarlier.value, [groupId]: page.hasMore };
    },
    unreadCount: (groupId) =>
      countUnread(messagesByGroup.value[groupId] ?? [], marks.lastRead.value[groupId] ?? "", userId),
    markRead: (groupId) => marks.markRead(groupId, messagesByGroup.value[groupId]?.at(-1)?.id),
    sendTyping: (groupId, isTyping) => typing.send(groupId, isTyping),
    completeThrough: (groupId) => completeThrough.get(groupId),
    restore(groupId, messages, through) {
      // The server answered first: what it said is newer.
      if (messagesByGroup.value[groupId]?.length || completeThrough.has(groupId)) return;
      add(groupId, messages);
      if (through) completeThrough.set(groupId, through);
      else restoredOnly.add(groupId);
      hasEarlier.value = { ...hasEarlier.value, [groupId]: true };
    },
    start() {
      timers.start();
      typing.start();
      outbox.start();
      socket.on("message:new", onMessage);
      socket.on("typing", onTyping);
      socket.on("connect", onConnect);
    },
    stop() {
      socket.off("message:new", onMessage);
      socket.off("typing", onTyping);
      socket.off("connect", onConnect);
      outbox.stop();
      typing.stop();
      timers.stop();
    },
  };
}
