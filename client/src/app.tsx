// The app shell: login, or the group's chat, members and map. A session
// starts the three feature controllers; an expired one shows the login form
// over the app, so nothing typed is lost.
import { signal, useSignalEffect } from "@preact/signals";
import { useState } from "preact/hooks";
import { LoginForm } from "./features/account/login-form.tsx";
import { followGroup, startChat, stopChat, unreadCount } from "./features/chat/chat.ts";
import { ChatView } from "./features/chat/chat-view.tsx";
import { GroupBar } from "./features/groups/group-bar.tsx";
import { currentGroupId, groups, loadGroups, resetGroups } from "./features/groups/groups.ts";
import { startLocation, stopLocation, watchGroup } from "./features/map/location.ts";
import { RideMap } from "./features/map/ride-map.tsx";
import { MemberList } from "./features/presence/member-list.tsx";
import { followPresence, stopPresence } from "./features/presence/presence.ts";
import { clientConfig } from "./net/client-config.ts";
import { connectAll, disconnectAll } from "./net/connection.ts";
import { currentUserId, logout, logoutEverywhere, needsLogin, session } from "./net/session.ts";
import { ConnectionBanner } from "./ui/connection-banner.tsx";

type Tab = "chat" | "map" | "members";
const TAB_LABELS: Record<Tab, string> = { chat: "Chat", map: "Map", members: "Members" };
const loadError = signal<string | null>(null);
/** The signed-in user's groups were loaded (chat and presence follow them). */
const loaded = signal(false);

/** Starts everything for the logged-in user; stops it on logout. */
function useSessionLifecycle() {
  useSignalEffect(() => {
    const userId = currentUserId.value;
    if (!userId) return;
    startLocation(userId);
    return () => {
      loaded.value = false;
      stopLocation(); // first: it tells the server that sharing ends
      disconnectAll();
      stopChat();
      stopPresence();
      resetGroups();
    };
  });
  // Groups load once the session is usable: at once, or after the password when the saved token had expired.
  useSignalEffect(() => {
    const userId = currentUserId.value;
    if (!userId || needsLogin.value || loaded.value) return;
    let current = true;
    loadError.value = null;
    loadGroups(userId).then(
      (mine) => {
        if (!current) return;
        loaded.value = true;
        startChat(
          userId,
          mine.map((g) => g.id),
        );
        for (const g of mine) followPresence(g.id);
        connectAll();
      },
      () => {
        if (current && !needsLogin.value)
          loadError.value = "Your groups could not be loaded. Reload the page to try again.";
      },
    );
    return () => {
      current = false;
    };
  });
  // A group created or joined later is followed too.
  useSignalEffect(() => {
    for (const g of groups.value) {
      followGroup(g.id);
      followPresence(g.id);
    }
  });
  useSignalEffect(() => watchGroup(currentGroupId.value));
  // After a re-login the sockets that were refused connect again.
  useSignalEffect(() => {
    if (!needsLogin.value && currentUserId.value) connectAll();
  });
}

export function App() {
  useSessionLifecycle();
  const [tab, setTab] = useState<Tab>("chat");
  const current = session.value;
  if (!current) {
    return (
      <main class="center">
        <LoginForm />
      </main>
    );
  }
  const groupId = currentGroupId.value;
  // Narrow screens show one pane: the Chat tab says when messages wait there.
  const unread = groupId ? unreadCount(groupId) : 0;
  return (
    <div class="app" data-tab={tab}>
      {/* While the session dialog is up, the app behind it is out of reach of Tab and screen readers. */}
      <div class="app-body" inert={needsLogin.value}>
        <header class="top">
          <span class="brand">Convoy</span>
          <ConnectionBanner />
          <span class="me">
            {current.user.username}{" "}
            <button type="button" class="link" onClick={logout}>
              Log out
            </button>{" "}
            <button type="button" class="link" onClick={logoutEverywhere}>
              Log out everywhere
            </button>
          </span>
        </header>
        <GroupBar noGroupsYet={loaded.value && groups.value.length === 0} />
        {loadError.value && (
          <p class="error" role="alert">
            {loadError.value}
          </p>
        )}
        {groupId ? (
          <>
            <nav class="tabs" aria-label="Views">
              {(["chat", "map", "members"] as const).map((name) => (
                <button key={name} type="button" aria-pressed={tab === name} onClick={() => setTab(name)}>
                  {TAB_LABELS[name]}
                  {name === "chat" && tab !== "chat" && unread > 0 ? ` (${unread} new)` : ""}
                </button>
              ))}
            </nav>
            <main class="panes">
              <div class="pane pane-chat">
                <ChatView key={groupId} groupId={groupId} />
              </div>
              <div class="pane pane-members">
                <MemberList groupId={groupId} />
              </div>
              <div class="pane pane-map">
                <RideMap groupId={groupId} config={clientConfig.value} />
              </div>
            </main>
          </>
        ) : (
          <main class="center">
            <p>Create a group for your ride, or join one with the invite code a friend sent you.</p>
          </main>
        )}
      </div>
      {needsLogin.value && (
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="login-title">
          <LoginForm expiredFor={current.user.username} />
        </div>
      )}
    </div>
  );
}
