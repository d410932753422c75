// The open group's members with a presence dot and "last seen".
import type { PresenceStatus } from "@convoy/shared";
import { ago, now } from "../../ui/time.ts";
import { presenceByGroup } from "./presence.ts";

const ORDER: Record<PresenceStatus, number> = { online: 0, away: 1, offline: 2 };

export function MemberList({ groupId }: { groupId: string }) {
  const members = Object.values(presenceByGroup.value[groupId] ?? {}).sort(
    (a, b) => ORDER[a.status] - ORDER[b.status] || a.username.localeCompare(b.username),
  );
  void now.value; // re-render as "last seen" ages
  return (
    <section class="members" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      <ul>
        {members.map((m) => (
          <li key={m.userId} data-testid={`member-${m.username}`} data-status={m.status}>
            <span class={`dot dot-${m.status}`} aria-hidden="true" />
            <span class="name">{m.username}</span>
            <span class="status">
              {m.status === "offline" ? (m.lastSeen ? `last seen ${ago(m.lastSeen)}` : "offline") : m.status}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
