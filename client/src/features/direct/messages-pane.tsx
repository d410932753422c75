// The Messages tab: the list of direct conversations, or the one opened.
import { useState } from "preact/hooks";
import { useUser } from "../../ui/use-app.ts";
import { ConversationList } from "./conversation-list.tsx";
import { DirectConversation } from "./direct-conversation.tsx";

/** `focusRequest` changes when a conversation is opened from elsewhere (the member list). */
export function MessagesPane({ focusRequest }: { focusRequest: number }) {
  const { direct } = useUser();
  const [returnTo, setReturnTo] = useState<string | null>(null);
  const open = direct.openUserId.value;
  if (open)
    return (
      <DirectConversation
        key={open}
        userId={open}
        focusRequest={focusRequest}
        onBack={() => {
          setReturnTo(open);
          direct.close();
        }}
      />
    );
  return <ConversationList returnTo={returnTo} />;
}
