// A conversation on screen, group chat or direct: history (with "load
// earlier"), a divider above new messages, outgoing messages with their state
// (Retry and Discard once failed), and the composer, which never locks: while
// offline, messages wait in the outbox.
import { LIMITS } from "@convoy/shared";
import { Fragment, type ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";
import { clockTime } from "../../ui/time.ts";
import { useSeen } from "../../ui/use-seen.ts";
import { firstUnreadIndex, type Said } from "./merge.ts";
import type { Outgoing } from "./outbox.ts";
import { useReadingPlace, type ReadState } from "./reading-place.ts";

/** Drafts per user and conversation, kept while the app runs (a re-login does not clear them). */
const drafts = new Map<string, string>();

export interface ConversationViewProps {
  /** A group id, or the other user's id. Render keyed by it: the state below belongs to one conversation. */
  conversation: string;
  /** Unique on the page ("chat", "dm"): prefixes element ids; the heading's id is `${idPrefix}-title`. */
  idPrefix: string;
  me: string;
  messages: readonly Said[];
  outgoing: readonly Outgoing[];
  hasEarlier: boolean;
  unreadCount: number;
  marks: ReadState;
  loadEarlier: () => Promise<void>;
  send: (text: string) => void;
  retry: (clientMsgId: string) => void;
  discard: (clientMsgId: string) => void;
  /** Told when the user starts or stops typing. */
  onTyping?: (typing: boolean) => void;
  /** The heading (or a bar holding it), first in the section. */
  header: ComponentChildren;
  /** Below the list, above the composer (who is typing). */
  footer?: ComponentChildren;
  /** Extra class of the section. */
  class?: string;
  listLabel: string;
  composerLabel: string;
  placeholder: string;
}

export function ConversationView(props: ConversationViewProps) {
  const { conversation, idPrefix, me, messages, outgoing, marks, onTyping } = props;
  const draftKey = `${me}:${idPrefix}:${conversation}`;
  const [draft, setDraft] = useState(drafts.get(draftKey) ?? "");
  // Where "new" starts: fixed while the user reads, moved when they come back to unread messages.
  const [readMark, setReadMark] = useState<string | null>(marks.lastRead.value[conversation] ?? null);
  const [earlierError, setEarlierError] = useState<string | null>(null);
  const section = useRef<HTMLElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const seen = useSeen(section);
  const reading = useReadingPlace({
    marks,
    list,
    section,
    conversation,
    me,
    messages,
    pendingCount: outgoing.length,
    seen,
    readMark,
    setReadMark,
  });
  const divider = firstUnreadIndex(messages, readMark, me);
  const newBelow = !reading.atBottom && props.unreadCount > 0;
  const composerId = `${idPrefix}-composer`;

  const submit = (event: Event) => {
    event.preventDefault();
    const text = draft.trim();
    if (!text) return;
    props.send(text);
    drafts.set(draftKey, "");
    setDraft("");
  };

  return (
    <section
      class={`chat${props.class ? ` ${props.class}` : ""}`}
      aria-labelledby={`${idPrefix}-title`}
      ref={section}
    >
      {props.header}
      {/* Focusable, so that the keyboard can scroll it too. */}
      <ol class="messages" ref={list} aria-label={props.listLabel} tabIndex={-1} onScroll={reading.onScroll}>
        {props.hasEarlier && (
          <li class="earlier">
            <button
              type="button"
              onClick={() => {
                setEarlierError(null);
                props
                  .loadEarlier()
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
        {outgoing.map((m) => (
          <OutgoingItem key={m.clientMsgId} message={m} retry={props.retry} discard={props.discard} />
        ))}
      </ol>
      {newBelow && (
        <button type="button" class="new-below" onClick={reading.jumpToNewest}>
          New messages below
        </button>
      )}
      <p class="visually-hidden" aria-live="polite" data-testid={`${idPrefix}-announcement`}>
        {/* A new node each time, so that the same text twice is announced twice. */}
        <span key={reading.announcement.n}>{reading.announcement.text}</span>
      </p>
      {props.footer}
      <form class="composer" onSubmit={submit}>
        <label class="visually-hidden" for={composerId}>
          {props.composerLabel}
        </label>
        <textarea
          id={composerId}
          name="message"
          rows={1}
          maxLength={LIMITS.messageText}
          placeholder={props.placeholder}
          value={draft}
          onInput={(e) => {
            const value = e.currentTarget.value;
            setDraft(value);
            drafts.set(draftKey, value);
            onTyping?.(value.trim().length > 0);
          }}
          onKeyDown={(e) => {
            // Not while an input method is composing a word (Chinese, Japanese, Korean…).
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
          }}
          onBlur={() => onTyping?.(false)}
        />
        <button type="submit" class="primary" disabled={draft.trim().length === 0}>
          Send
        </button>
      </form>
    </section>
  );
}

function MessageItem({ message, mine }: { message: Said; mine: boolean }) {
  return (
    <li class={`message${mine ? " mine" : ""}`} data-state="sent" data-id={message.id} data-key={message.id}>
      <p class="meta">
        <span class="author">{mine ? "You" : message.username}</span> <time>{clockTime(message.ts)}</time>
      </p>
      <p class="text">{message.text}</p>
    </li>
  );
}

function OutgoingItem({
  message: m,
  retry,
  discard,
}: {
  message: Outgoing;
  retry: (clientMsgId: string) => void;
  discard: (clientMsgId: string) => void;
}) {
  return (
    <li class={`message mine outgoing ${m.state}`} data-state={m.state} data-key={`out-${m.clientMsgId}`}>
      <p class="text">{m.text}</p>
      <p class="meta">
        {m.state === "pending" ? (
          "Sending…"
        ) : (
          <>
            <span role="alert">Not sent{m.error ? `: ${m.error}` : ""}</span>{" "}
            <button type="button" onClick={() => retry(m.clientMsgId)}>
              Retry
            </button>{" "}
            <button type="button" onClick={() => discard(m.clientMsgId)}>
              Discard
            </button>
          </>
        )}
      </p>
    </li>
  );
}
