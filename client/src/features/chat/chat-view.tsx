// The open group's conversation: history (with "load earlier"), a divider
// above new messages, outgoing messages with their state, who is typing, and
// the composer, which never locks: while offline, messages wait in the outbox.
import { LIMITS, type ChatMessage } from "@convoy/shared";
import { Fragment } from "preact";
import { useRef, useState } from "preact/hooks";
import { clockTime } from "../../ui/time.ts";
import { useApp, useUser } from "../../ui/use-app.ts";
import { useSeen } from "../../ui/use-seen.ts";
import { firstUnreadIndex } from "./merge.ts";
import { useReadingPlace } from "./reading-place.ts";

/** Drafts per user and group, kept while the app runs (a re-login does not clear them). */
const drafts = new Map<string, string>();

/** Rendered once per group (keyed by it), so every piece of state below belongs to one conversation. */
export function ChatView({ groupId }: { groupId: string }) {
  const { chat } = useUser();
  const me = useApp().session.current.value?.user.id ?? "";
  const draftKey = `${me}:${groupId}`;
  const messages = chat.messagesByGroup.value[groupId] ?? [];
  const pending = chat.outbox.value.filter((m) => m.groupId === groupId);
  const typing = Object.values(chat.typingByGroup.value[groupId] ?? {}).map((t) => t.username);
  const [draft, setDraft] = useState(drafts.get(draftKey) ?? "");
  // Where "new" starts: fixed while the user reads, moved when they come back to unread messages.
  const [readMark, setReadMark] = useState<string | null>(chat.lastRead.value[groupId] ?? null);
  const [earlierError, setEarlierError] = useState<string | null>(null);
  const section = useRef<HTMLElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const seen = useSeen(section);
  const reading = useReadingPlace({
    chat,
    list,
    section,
    groupId,
    me,
    messages,
    pendingCount: pending.length,
    seen,
    readMark,
    setReadMark,
  });
  const divider = firstUnreadIndex(messages, readMark, me);
  const newBelow = !reading.atBottom && chat.unreadCount(groupId) > 0;

  const submit = (event: Event) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text) return;
    chat.sendMessage(groupId, text);
    drafts.set(draftKey, "");
    setDraft("");
  };

  return (
    <section class="chat" aria-labelledby="chat-title" ref={section}>
      <h2 id="chat-title" class="visually-hidden">
        Chat
      </h2>
      {/* Focusable, so that the keyboard can scroll it too. */}
      <ol class="messages" ref={list} aria-label="Conversation" tabIndex={-1} onScroll={reading.onScroll}>
        {chat.hasEarlier.value[groupId] && (
          <li class="earlier">
            <button
              type="button"
              onClick={() => {
                chat
                  .loadEarlier(groupId)
                  .catch(() => setEarlierError("Earlier messages could not be loaded. Try again."));
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
              <li class="divider" data-key="divider">
                New messages
              </li>
            )}
            <MessageItem message={message} mine={message.userId === me} />
          </Fragment>
        ))}
        {pending.map((m) => (
          <li
            key={m.clientMsgId}
            class={`message mine outgoing ${m.state}`}
            data-state={m.state}
            data-key={`out-${m.clientMsgId}`}
          >
            <p class="text">{m.text}</p>
            <p class="meta">
              {m.state === "pending" ? (
                "Sending…"
              ) : (
                <>
                  <span role="alert">Not sent{m.error ? `: ${m.error}` : ""}</span>{" "}
                  <button type="button" onClick={() => chat.retryMessage(m.clientMsgId)}>
                    Retry
                  </button>{" "}
                  <button type="button" onClick={() => chat.discardMessage(m.clientMsgId)}>
                    Discard
                  </button>
                </>
              )}
            </p>
          </li>
        ))}
      </ol>
      {newBelow && (
        <button type="button" class="new-below" onClick={reading.jumpToNewest}>
          New messages below
        </button>
      )}
      <p class="visually-hidden" aria-live="polite" data-testid="chat-announcement">
        {/* A new node each time, so that the same text twice is announced twice. */}
        <span key={reading.announcement.n}>{reading.announcement.text}</span>
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
            chat.sendTyping(groupId, value.trim().length > 0);
          }}
          onKeyDown={(e) => {
            // Not while an input method is composing a word (Chinese, Japanese, Korean…).
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
          }}
          onBlur={() => chat.sendTyping(groupId, false)}
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
    <li class={`message${mine ? " mine" : ""}`} data-state="sent" data-id={message.id} data-key={message.id}>
      <p class="meta">
        <span class="author">{mine ? "You" : message.username}</span> <time>{clockTime(message.ts)}</time>
      </p>
      <p class="text">{message.text}</p>
    </li>
  );
}
