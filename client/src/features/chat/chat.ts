// Chat for every group the user belongs to: history, live messages, an outbox
// that survives reconnects and reloads, and catch-up after every reconnect.
// A message is shown once however it arrives (mergeMessages dedupes by id),
// and a retry reuses its clientMsgId, so the server stores it once.
import { LIMITS, type ChatMessage, type MessagePage, type TypingNotice } from "@convoy/shared";
import { signal } from "@preact/signals";
import { chatSocket, request } from "../../net/connection.ts";
import { api } from "../../net/http.ts";
import { currentUserId, freshToken } from "../../net/session.ts";
import { loadJson, saveJson } from "../../net/storage.ts";
import { mergeMessages } from "./merge.ts";
import { withEntry } from "../by-group.ts";

export interface OutgoingMessage {
  clientMsgId: string;
  groupId: string;
  text: string;
  /** pending: waiting for the server's ack (or for the connection). failed: the user may retry. */
  state: "pending" | "failed";
  error?: string;
  createdAt: number;
}

export const messagesByGroup = signal<Record<string, ChatMessage[]>>({});
/** Whether older history exists before the oldest loaded message. */
export const hasEarlier = signal<Record<string, boolean>>({});
export const outbox = signal<OutgoingMessage[]>([]);
/** groupId → userId → who is typing, until when. */
export const typingByGroup = signal<Record<string, Record<string, { username: string; until: number }>>>({});
/** groupId → id of the newest message the user has seen. */
export const lastRead = signal<Record<string, string>>({});

const TYPING_SHOWN_MS = 6000;
const TYPING_RESEND_MS = 2500;
/** Bound on catch-up pages per group after a reconnect (100 messages each). */
const CATCH_UP_PAGES = 50;

let userKey = "";
const joinedGroups = new Set<string>();
/**
 * groupId → the newest id up to which this client surely has every message. It
 * moves only through contiguous pages (the first join's latest messages, then
 * `messages:since`), so a catch-up cut short leaves no hole behind.
 */
const completeThrough = new Map<string, string>();
const RETRY_JOIN_MS = 3000;

function add(groupId: string, incoming: readonly ChatMessage[]): void {
  const current = messagesByGroup.value[groupId] ?? [];
  const merged = mergeMessages(current, incoming);
  if (merged !== current) messagesByGroup.value = { ...messagesByGroup.value, [groupId]: merged };
}

function setOutbox(next: OutgoingMessage[]): void {
  outbox.value = next;
  saveJson(`${userKey}.outbox`, next);
}

function updateOutgoing(clientMsgId: string, change: Partial<OutgoingMessage> | null): void {
  setOutbox(
    change === null
      ? outbox.value.filter((m) => m.clientMsgId !== clientMsgId)
      : outbox.value.map((m) => (m.clientMsgId === clientMsgId ? { ...m, ...change } : m)),
  );
}

/** Starts chat for a user: restores their outbox and read marks, then follows the given groups. */
export function startChat(userId: string, groupIds: readonly string[]): void {
  userKey = `convoy.${userId}`;
  outbox.value = loadJson<OutgoingMessage[]>(`${userKey}.outbox`, []).map((m) => ({
    ...m,
    state: "pending",
  }));
  lastRead.value = loadJson<Record<string, string>>(`${userKey}.lastRead`, {});
  for (const groupId of groupIds) followGroup(groupId);
}

export function stopChat(): void {
  joinedGroups.clear();
  completeThrough.clear();
  messagesByGroup.value = {};
  hasEarlier.value = {};
  outbox.value = [];
  typingByGroup.value = {};
}

/** Receives a group's messages from now on (joining its room whenever connected). */
export function followGroup(groupId: string): void {
  if (joinedGroups.has(groupId)) return;
  joinedGroups.add(groupId);
  if (chatSocket.connected) void joinAndCatchUp(groupId);
}

async function joinAndCatchUp(groupId: string): Promise<void> {
  const joined = await request(chatSocket, "room:join", { groupId });
  if (!joined.ok) {
    // Without the room this group gets no live messages: try again while connected.
    // A rider in many groups may join faster than the server's event limit: wait as long as it says.
    const { code } = joined.error;
    if (code === "TIMEOUT" || code === "INTERNAL" || code === "RATE_LIMITED") {
      const wait = "retryAfterMs" in joined.error ? joined.error.retryAfterMs : undefined;
      setTimeout(() => {
        if (chatSocket.connected && joinedGroups.has(groupId)) void joinAndCatchUp(groupId);
      }, wait ?? RETRY_JOIN_MS);
    }
    return;
  }
  add(groupId, joined.data.messages);
  const syncedThrough = completeThrough.get(groupId);
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
  let afterId = syncedThrough;
  for (let page = 0; page < CATCH_UP_PAGES; page++) {
    const since = await request(chatSocket, "messages:since", { groupId, afterId });
    if (!since.ok) return;
    add(groupId, since.data.messages);
    const last = since.data.messages.at(-1);
    if (last) completeThrough.set(groupId, (afterId = last.id));
    if (!since.data.hasMore || !last) return;
  }
}

/** Sends in creation order, one at a time, so the group sees them in the order typed. */
let flushing: Promise<void> | null = null;
function flushOutbox(): void {
  flushing ??= (async () => {
    for (;;) {
      const next = outbox.value.find((m) => m.state === "pending");
      if (!next || !chatSocket.connected) break;
      // Still pending: the connection dropped mid-send; the next connect sends it again.
      if (!(await deliver(next))) break;
    }
  })().finally(() => (flushing = null));
}

/** Resolves false when the message is still pending (no answer, connection lost). */
async function deliver(message: OutgoingMessage): Promise<boolean> {
  const reply = await request(chatSocket, "message:send", {
    groupId: message.groupId,
    text: message.text,
    clientMsgId: message.clientMsgId,
  });
  if (reply.ok) {
    add(message.groupId, [reply.data.message]);
    updateOutgoing(message.clientMsgId, null);
    return true;
  }
  if (reply.error.code === "TIMEOUT" && !chatSocket.connected) return false;
  updateOutgoing(message.clientMsgId, { state: "failed", error: reply.error.message });
  return true;
}

export function sendMessage(groupId: string, text: string): void {
  const outgoing: OutgoingMessage = {
    clientMsgId: crypto.randomUUID(),
    groupId,
    text: text.trim(),
    state: "pending",
    createdAt: Date.now(),
  };
  setOutbox([...outbox.value, outgoing]);
  sendTyping(groupId, false);
  flushOutbox();
}

export function retryMessage(clientMsgId: string): void {
  updateOutgoing(clientMsgId, { state: "pending", error: undefined });
  flushOutbox();
}

export function discardMessage(clientMsgId: string): void {
  updateOutgoing(clientMsgId, null);
}

export async function loadEarlier(groupId: string): Promise<void> {
  const oldest = messagesByGroup.value[groupId]?.[0]?.id;
  const query = oldest ? `?before=${oldest}&limit=50` : "?limit=50";
  const page = await api<MessagePage>(
    "GET",
    `/api/groups/${encodeURIComponent(groupId)}/messages${query}`,
    undefined,
    (await freshToken()) ?? undefined,
  );
  add(groupId, page.messages);
  hasEarlier.value = { ...hasEarlier.value, [groupId]: page.hasMore };
}

/** Messages from others after the user's read mark. */
export function unreadCount(groupId: string): number {
  const read = lastRead.value[groupId] ?? "";
  const me = currentUserId.value;
  return (messagesByGroup.value[groupId] ?? []).filter((m) => m.id > read && m.userId !== me).length;
}

export function markRead(groupId: string): void {
  const newest = messagesByGroup.value[groupId]?.at(-1)?.id;
  if (!newest || lastRead.value[groupId] === newest) return;
  lastRead.value = { ...lastRead.value, [groupId]: newest };
  saveJson(`${userKey}.lastRead`, lastRead.value);
}

let typingSentAt = 0;
let typingGroup: string | null = null;
/** Tells the room that the user is typing (at most every few seconds), or stopped. */
export function sendTyping(groupId: string, typing: boolean): void {
  if (!chatSocket.connected) return;
  const now = Date.now();
  if (typing && typingGroup === groupId && now - typingSentAt < TYPING_RESEND_MS) return;
  if (!typing && typingGroup !== groupId) return;
  typingGroup = typing ? groupId : null;
  typingSentAt = typing ? now : 0;
  chatSocket.emit("typing", { groupId, typing });
}

function onTyping(notice: TypingNotice): void {
  const entry = notice.typing
    ? { username: notice.username, until: Date.now() + TYPING_SHOWN_MS }
    : undefined;
  typingByGroup.value = withEntry(typingByGroup.value, notice.groupId, notice.userId, entry);
}

/** Forgets typing notices whose sender went quiet (their "stopped" may have been dropped: typing is volatile). */
function expireTyping(): void {
  const now = Date.now();
  let changed = false;
  const next: typeof typingByGroup.value = {};
  for (const [groupId, users] of Object.entries(typingByGroup.value)) {
    next[groupId] = Object.fromEntries(
      Object.entries(users).filter(([, entry]) => entry.until > now || !(changed = true)),
    );
  }
  if (changed) typingByGroup.value = next;
}
setInterval(expireTyping, 1000);

chatSocket.on("message:new", (message) => {
  add(message.groupId, [message]);
  // A message from this user sent by another tab, or acked late: no longer outgoing here.
  if (outbox.value.some((m) => m.clientMsgId === message.clientMsgId && m.groupId === message.groupId))
    updateOutgoing(message.clientMsgId, null);
  onTyping({ groupId: message.groupId, userId: message.userId, username: message.username, typing: false });
});
chatSocket.on("typing", onTyping);
chatSocket.on("connect", () => {
  // Rooms do not survive a reconnect: join again, fetch what was missed, then send what waited.
  void Promise.all([...joinedGroups].map((groupId) => joinAndCatchUp(groupId))).then(flushOutbox);
});
