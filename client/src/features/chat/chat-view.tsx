// The open group's conversation: history (with "load earlier"), a divider
// above new messages, outgoing messages with their state, who is typing, and
// the composer, which never locks: while offline, messages wait in the outbox.
import { LIMITS, type ChatMessage } from "@convoy/shared";
import { Fragment } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { session } from "../../net/session.ts";
import { clockTime } from "../../ui/time.ts";
import { seenNow, useSeen } from "../../ui/use-seen.ts";
import {
  discardMessage,
  hasEarlier,
  lastRead,
  loadEarlier,
  markRead,
  messagesByGroup,
  outbox,
  retryMessage,
  sendMessage,
  sendTyping,
  typingByGroup,
} from "./chat.ts";
import { firstUnreadIndex } from "./merge.ts";

/** Drafts per user and group, kept while the app runs (a re-login does not clear them). */
const drafts = new Map<string, string>();
/** Within this many pixels of the end, the reader counts as reading the newest messages. */
const AT_BOTTOM_PX = 48;

/** Rendered once per group (keyed by it), so every piece of state below belongs to one conversation. */
export function ChatView({ groupId }: { groupId: string }) {
  const me = session.value?.user.id ?? "";
  const draftKey = `${me}:${groupId}`;
  const messages = messagesByGroup.value[groupId] ?? [];
  const pending = outbox.value.filter((m) => m.groupId === groupId);
  const typing = Object.values(typingByGroup.value[groupId] ?? {}).map((t) => t.username);
  const [draft, setDraft] = useState(drafts.get(draftKey) ?? "");
  // Where "new" starts: fixed while the user reads, moved when they come back to unread messages.
  const [readMark, setReadMark] = useState<string | null>(lastRead.value[groupId] ?? null);
  const [earlierError, setEarlierError] = useState<string | null>(null);
  /** Newest message from someone else, read out by screen readers (the list itself is not live). */
  const [announcement, setAnnouncement] = useState("");
  const [newBelow, setNewBelow] = useState(false);
  const section = useRef<HTMLElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const seen = useSeen(section);
  /** The list as the last render left it, to keep the reader's place across the next one. */
  const place = useRef({ atBottom: true, height: 0, top: 0, firstId: "", lastId: "", pending: 0 });
  const divider = firstUnreadIndex(messages, readMark, me);
  const firstId = messages[0]?.id ?? "";
  const newest = messages.at(-1);
  const lastId = newest?.id ?? "";

  const remember = (el: HTMLOListElement) => {
    const now = place.current;
    now.height = el.scrollHeight;
    now.top = el.scrollTop;
    // A list out of sight (a hidden pane) has no geometry: keep what was known.
    if (el.clientHeight > 0) now.atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < AT_BOTTOM_PX;
  };
  const toBottom = () => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  // History loaded above keeps what the reader was looking at in place; new messages
  // scroll into view only for a reader at the bottom (or when they are the sender).
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    const before = { ...place.current };
    const prepended = before.firstId !== "" && firstId !== before.firstId && lastId === before.lastId;
    const sentNow = pending.length > before.pending;
    if (prepended) el.scrollTop = before.top + (el.scrollHeight - before.height);
    else if (before.atBottom || sentNow || before.lastId === "") el.scrollTop = el.scrollHeight;
    else if (lastId !== before.lastId && newest?.userId !== me) setNewBelow(true);
    if (newest && lastId !== before.lastId && before.lastId !== "" && !prepended && newest.userId !== me)
      setAnnouncement(`${newest.username}: ${newest.text}`);
    Object.assign(place.current, { firstId, lastId, pending: pending.length });
    remember(el);
  }, [firstId, lastId, pending.length]);

  // Coming back (tab shown again, or the Chat pane on a phone): what arrived meanwhile is marked new.
  useEffect(() => {
    if (!seen) return;
    if (place.current.atBottom) toBottom();
    const read = lastRead.value[groupId] ?? null;
    if (read !== lastId) setReadMark(read);
  }, [seen]);
  // Read means seen: on screen, in a visible tab, scrolled down to it.
  useEffect(() => {
    if (seen && seenNow(section.current) && place.current.atBottom) markRead(groupId);
  }, [seen, lastId]);

  const onScroll = () => {
    const el = list.current;
    if (!el) return;
    remember(el);
    if (!place.current.atBottom) return;
    setNewBelow(false);
    if (seenNow(section.current)) markRead(groupId);
  };

  const submit = (event: Event) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text) return;
    sendMessage(groupId, text);
    drafts.set(draftKey, "");
    setDraft("");
  };

  return (
    <section class="chat" aria-labelledby="chat-title" ref={section}>
      <h2 id="chat-title" class="visually-hidden">
        Chat
      </h2>
      <ol class="messages" ref={list} aria-label="Conversation" onScroll={onScroll}>
        {hasEarlier.value[groupId] && (
          <li class="earlier">
            <button
              type="button"
              onClick={() => {
                loadEarlier(groupId).catch(() =>
                  setEarlierError("Earlier messages could not be loaded. Try again."),
                );
              }}
            >
              Load earlier messages
            </button>
            {earlierError && (
              <p class="error" role="alert">
                {earlierError}
              </p>
            )}
          </li>
        )}
        {messages.map((message, i) => (
          <Fragment key={message.id}>
            {i === divider && (
              <li class="divider" role="separator">
                New messages
              </li>
            )}
            <MessageItem message={message} mine={message.userId === me} />
          </Fragment>
        ))}
        {pending.map((m) => (
          <li key={m.clientMsgId} class={`message mine outgoing ${m.state}`} data-state={m.state}>
            <p class="text">{m.text}</p>
            <p class="meta">
              {m.state === "pending" ? (
                "Sending…"
              ) : (
                <>
                  <span role="alert">Not sent{m.error ? `: ${m.error}` : ""}</span>{" "}
                  <button type="button" onClick={() => retryMessage(m.clientMsgId)}>
                    Retry
                  </button>{" "}
                  <button type="button" onClick={() => discardMessage(m.clientMsgId)}>
                    Discard
                  </button>
                </>
              )}
            </p>
          </li>
        ))}
      </ol>
      {newBelow && (
        <button type="button" class="new-below" onClick={toBottom}>
          New messages below
        </button>
      )}
      <p class="visually-hidden" aria-live="polite" data-testid="chat-announcement">
        {announcement}
      </p>
      <p class="typing" aria-live="polite">
        {typing.length === 1
          ? `${typing[0]} is typing…`
          : typing.length > 1
            ? `${typing.join(", ")} are typing…`
            : ""}
      </p>
      <form class="composer" onSubmit={submit}>
        <label class="visually-hidden" for="composer-input">
          Message
        </label>
        <textarea
          id="composer-input"
          name="message"
          rows={1}
          maxLength={LIMITS.messageText}
          placeholder="Message the group"
          value={draft}
          onInput={(e) => {
            const value = e.currentTarget.value;
            setDraft(value);
            drafts.set(draftKey, value);
            sendTyping(groupId, value.trim().length > 0);
          }}
          onKeyDown={(e) => {
            // Not while an input method is composing a word (Chinese, Japanese, Korean…).
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
          }}
          onBlur={() => sendTyping(groupId, false)}
        />
        <button type="submit" class="primary" disabled={draft.trim().length === 0}>
          Send
        </button>
      </form>
    </section>
  );
}

function MessageItem({ message, mine }: { message: ChatMessage; mine: boolean }) {
  return (
    <li class={`message${mine ? " mine" : ""}`} data-state="sent" data-id={message.id}>
      <p class="meta">
        <span class="author">{mine ? "You" : message.username}</span> <time>{clockTime(message.ts)}</time>
      </p>
      <p class="text">{message.text}</p>
    </li>
  );
}
