// The open group's conversation: history (with "load earlier"), a divider
// above new messages, outgoing messages with their state, who is typing, and
// the composer, which never locks: while offline, messages wait in the outbox.
import { LIMITS, type ChatMessage } from "@convoy/shared";
import { Fragment } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { session } from "../../net/session.ts";
import { clockTime } from "../../ui/time.ts";
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

export function ChatView({ groupId }: { groupId: string }) {
  const me = session.value?.user.id ?? "";
  const draftKey = `${me}:${groupId}`;
  const messages = messagesByGroup.value[groupId] ?? [];
  const pending = outbox.value.filter((m) => m.groupId === groupId);
  const typing = Object.values(typingByGroup.value[groupId] ?? {}).map((t) => t.username);
  const [draft, setDraft] = useState(drafts.get(draftKey) ?? "");
  // Where "new" starts, fixed when the group is opened.
  const [readMark, setReadMark] = useState<string | null>(lastRead.value[groupId] ?? null);
  const list = useRef<HTMLOListElement>(null);
  const [earlierError, setEarlierError] = useState<string | null>(null);
  const divider = firstUnreadIndex(messages, readMark, me);

  useEffect(() => {
    setDraft(drafts.get(draftKey) ?? "");
    setReadMark(lastRead.value[groupId] ?? null);
  }, [draftKey]);
  useEffect(() => {
    if (!document.hidden) markRead(groupId);
  }, [groupId, messages.length]);
  useLayoutEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [groupId, messages.length, pending.length]);

  const submit = (event: Event) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text) return;
    sendMessage(groupId, text);
    drafts.set(draftKey, "");
    setDraft("");
  };

  return (
    <section class="chat" aria-labelledby="chat-title">
      <h2 id="chat-title" class="visually-hidden">
        Chat
      </h2>
      <ol class="messages" ref={list} aria-live="polite" aria-relevant="additions">
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
