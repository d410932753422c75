// The open group's conversation, and who in the group is typing.
import { useApp, useUser } from "../../ui/use-app.ts";
import { ConversationView } from "./conversation-view.tsx";

/** Rendered once per group (keyed by it), so every piece of state below belongs to one conversation. */
export function ChatView({ groupId }: { groupId: string }) {
  const { chat } = useUser();
  const me = useApp().session.current.value?.user.id ?? "";
  const typing = Object.values(chat.typingByGroup.value[groupId] ?? {}).map((t) => t.username);
  return (
    <ConversationView
      conversation={groupId}
      idPrefix="chat"
      me={me}
      messages={chat.messagesByGroup.value[groupId] ?? []}
      outgoing={chat.outbox.value.filter((m) => m.groupId === groupId)}
      hasEarlier={chat.hasEarlier.value[groupId] ?? false}
      unreadCount={chat.unreadCount(groupId)}
      marks={chat}
      loadEarlier={() => chat.loadEarlier(groupId)}
      send={(text) => chat.sendMessage(groupId, text)}
      retry={(id) => chat.retryMessage(id)}
      discard={(id) => chat.discardMessage(id)}
      onTyping={(typing) => chat.sendTyping(groupId, typing)}
      header={
        <h2 id="chat-title" class="visually-hidden">
          Chat
        </h2>
      }
      footer={
        <p class="typing" aria-live="polite">
          {typing.length === 1
            ? `${typing[0]} is typing…`
            : typing.length > 1
              ? `${typing.join(", ")} are typing…`
              : ""}
        </p>
      }
      listLabel="Conversation"
      composerLabel="Message"
      placeholder="Message the group"
    />
  );
}
