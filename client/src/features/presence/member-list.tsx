// The open group's members with a presence dot and "last seen", and a way to write to each.
import type { PresenceStatus } from "@convoy/shared";
import { ago } from "../../ui/time.ts";
import { useApp, useUser } from "../../ui/use-app.ts";

const ORDER: Record<PresenceStatus, number> = { online: 0, away: 1, offline: 2 };

/** `onMessage`: opens the direct conversation with a member. */
export function MemberList({
  groupId,
  onMessage,
}: {
  groupId: string;
  onMessage?: (userId: string, username: string) => void;
}) {
  const { presence, userId: me } = useUser();
  const at = useApp().ticker.now.value; // re-render as "last seen" ages
  const members = Object.values(presence.byGroup.value[groupId] ?? {}).sort(
    (a, b) => ORDER[a.status] - ORDER[b.status] || a.username.localeCompare(b.username),
  );
  return (
    // Focusable: on a wide screen the list scrolls within its pane, and the keyboard must reach it too.
    <section class="members" aria-labelledby="members-title" tabIndex={0}>
      <h2 id="members-title">Members</h2>
      <ul>
        {members.map((m) => (
          <li key={m.userId} data-testid={`member-${m.username}`} data-status={m.status}>
            <span class={`dot dot-${m.status}`} aria-hidden="true" />
            <span class="name">{m.username}</span>
            <span class="status">
              {m.status === "offline"
                ? m.lastSeen
                  ? `last seen ${ago(m.lastSeen, at)}`
                  : "offline"
                : m.status}
            </span>
            {onMessage && m.userId !== me && (
              <button type="button" class="message-member" onClick={() => onMessage(m.userId, m.username)}>
                Message<span class="visually-hidden"> {m.username}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
