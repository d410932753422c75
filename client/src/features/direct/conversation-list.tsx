// The user's direct conversations, the most recent first, each with what was
// said last and how many messages are new.
import { useEffect, useRef } from "preact/hooks";
import { clockTime } from "../../ui/time.ts";
import { useUser } from "../../ui/use-app.ts";

const PREVIEW_CHARS = 80;

/** `returnTo`: the conversation just left, whose entry takes the focus back. */
export function ConversationList({ returnTo }: { returnTo: string | null }) {
  const { direct, userId: me } = useUser();
  const back = useRef<HTMLButtonElement>(null);
  useEffect(() => back.current?.focus(), []);
  const conversations = direct.conversations.value;
  return (
    <section class="direct-list">
      <h2>Messages</h2>
      {conversations.length === 0 ? (
        <p class="hint">
          No conversations yet. To write to someone in your group, choose Message next to their name among the
          members.
        </p>
      ) : (
        <ul class="conversations">
          {conversations.map(({ userId, lastMessage }) => {
            const name = direct.nameOf(userId);
            const unread = direct.unreadCount(userId);
            const text = lastMessage.text;
            return (
              <li key={userId}>
                <button
                  type="button"
                  ref={userId === returnTo ? back : undefined}
                  data-testid={`conversation-${name}`}
                  data-unread={unread}
                  onClick={() => direct.open(userId)}
                >
                  <span class="who">{name}</span>
                  {unread > 0 ? <span class="badge">{unread} new</span> : <span />}
                  <span class="preview">
                    {lastMessage.userId === me ? "You: " : ""}
                    {text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text}
                  </span>
                  <time>{clockTime(lastMessage.ts)}</time>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
