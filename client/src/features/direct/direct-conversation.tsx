// One direct conversation on screen: the group chat's view (history, divider,
// outgoing states, composer) under a bar with the way back to the list.
import { useEffect, useRef } from "preact/hooks";
import { useUser } from "../../ui/use-app.ts";
import { ConversationView } from "../chat/conversation-view.tsx";

/**
 * Rendered once per conversation (keyed by the other user's id). The heading
 * takes the focus when shown and at each `focusRequest`, so that keyboard and
 * screen-reader users land in the conversation they opened.
 */
export function DirectConversation({
  userId,
  focusRequest,
  onBack,
}: {
  userId: string;
  focusRequest: number;
  onBack: () => void;
}) {
  const { direct, userId: me } = useUser();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [focusRequest]);
  const name = direct.nameOf(userId) || "Someone";
  const messages = direct.messagesByUser.value[userId] ?? [];
  const outgoing = direct.outbox.value.filter((m) => m.toUserId === userId);
  const status =
    direct.hasEarlier.value[userId] === undefined
      ? "Loading the conversation…"
      : messages.length + outgoing.length === 0
        ? `Nothing said yet. Write the first line to ${name}.`
        : "";
  return (
    <ConversationView
      conversation={userId}
      idPrefix="dm"
      me={me}
      messages={messages}
      outgoing={outgoing}
      hasEarlier={direct.hasEarlier.value[userId] ?? false}
      unreadCount={direct.unreadCount(userId)}
      marks={direct}
      loadEarlier={() => direct.loadEarlier(userId)}
      send={(text) => direct.send(userId, text)}
      retry={(id) => direct.retryMessage(id)}
      discard={(id) => direct.discardMessage(id)}
      class="direct-conversation"
      header={
        <div class="direct-header">
          <button type="button" onClick={onBack}>
            Back<span class="visually-hidden"> to all conversations</span>
          </button>
          <h2 id="dm-title" tabIndex={-1} ref={heading}>
            {name}
          </h2>
        </div>
      }
      footer={
        <p class="direct-status" role="status">
          {status}
        </p>
      }
      // No label here may contain "message": the group chat's composer is the one labelled so.
      listLabel={`Conversation with ${name}`}
      composerLabel={`Write to ${name}`}
      placeholder={`Write to ${name}`}
    />
  );
}
