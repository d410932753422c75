// The app shell: login, or the group's chat, members and map. An expired
// session shows the login form over the app, so nothing typed is lost.
import { useState } from "preact/hooks";
import { LoginForm } from "./features/account/login-form.tsx";
import { ChatView } from "./features/chat/chat-view.tsx";
import { MessagesPane } from "./features/direct/messages-pane.tsx";
import { GroupBar } from "./features/groups/group-bar.tsx";
import { RideMap } from "./features/map/ride-map.tsx";
import { MemberList } from "./features/presence/member-list.tsx";
import { SosButton } from "./features/sos/sos-button.tsx";
import { SosPanel } from "./features/sos/sos-panel.tsx";
import { RideAlerts } from "./features/ride/ride-alerts.tsx";
import { ConnectionBanner } from "./ui/connection-banner.tsx";
import { UpdateBanner } from "./ui/update-banner.tsx";
import { useApp } from "./ui/use-app.ts";

type Tab = "chat" | "map" | "members" | "messages";
const TAB_LABELS: Record<Tab, string> = {
  chat: "Chat",
  map: "Map",
  members: "Members",
  messages: "Messages",
};
/** On a wide screen these two share the first column, and their tabs switch it. */
const WIDE_TABS: ReadonlySet<Tab> = new Set(["chat", "messages"]);

export function App() {
  const { session, user, clientConfig } = useApp();
  const [tab, setTab] = useState<Tab>("chat");
  const [directFocus, setDirectFocus] = useState(0);
  const current = session.current.value;
  const features = user.value;
  if (!current || !features) {
    return (
      <>
        <UpdateBanner />
        <main class="center">
          <LoginForm />
        </main>
      </>
    );
  }
  const { chat, groups } = features;
  const needsLogin = session.needsLogin.value;
  const groupId = groups.currentGroupId.value;
  // Narrow screens show one pane: the Chat tab says when messages wait there.
  const unread = groupId ? chat.unreadCount(groupId) : 0;
  const directUnread = features.direct.unreadTotal.value;
  const messageMember = (userId: string, username: string) => {
    features.direct.open(userId, username);
    setTab("messages");
    setDirectFocus((n) => n + 1);
  };
  return (
    <div class="app" data-tab={tab}>
      {/* While the session dialog is up, the app behind it is out of reach of Tab and screen readers. */}
      <div class="app-body" inert={needsLogin}>
        <UpdateBanner />
        <header class="top">
          <span class="brand">Convoy</span>
          <ConnectionBanner />
          <SosButton />
          <span class="me">
            {current.user.username}{" "}
            <button type="button" class="link" onClick={() => session.logout()}>
              Log out
            </button>{" "}
            <button type="button" class="link" onClick={() => session.logoutEverywhere()}>
              Log out everywhere
            </button>
          </span>
        </header>
        <GroupBar noGroupsYet={features.loaded.value && groups.list.value.length === 0} />
        <SosPanel onShowMap={() => setTab("map")} />
        {features.loadError.value && (
          <p class="error" role="alert">
            {features.loadError.value}
          </p>
        )}
        {groupId ? (
          <>
            <nav class="tabs" aria-label="Views">
              {(["chat", "map", "members", "messages"] as const).map((name) => (
                <button
                  key={name}
                  type="button"
                  class={WIDE_TABS.has(name) ? "tab-wide" : undefined}
                  aria-pressed={tab === name}
                  onClick={() => setTab(name)}
                >
                  {TAB_LABELS[name]}
                  {name === "chat" && tab !== "chat" && unread > 0 ? ` (${unread} new)` : ""}
                  {name === "messages" && directUnread > 0 ? ` (${directUnread} new)` : ""}
                </button>
              ))}
            </nav>
            <RideAlerts groupId={groupId} />
            <main class="panes">
              <div class="pane pane-chat">
                <ChatView key={groupId} groupId={groupId} />
              </div>
              <div class="pane pane-members">
                <MemberList groupId={groupId} onMessage={messageMember} />
              </div>
              <div class="pane pane-map">
                <RideMap groupId={groupId} config={clientConfig.value} />
              </div>
              <div class="pane pane-messages">
                <MessagesPane focusRequest={directFocus} />
              </div>
            </main>
          </>
        ) : (
          <main class="center">
            <p>Create a group for your ride, or join one with the invite code a friend sent you.</p>
          </main>
        )}
      </div>
      {needsLogin && (
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="login-title">
          <LoginForm expiredFor={current.user.username} />
        </div>
      )}
    </div>
  );
}
