// Who in each group is online, away or offline, and since when. Subscribes to
// every group the user follows (again after each reconnect), and turns the
// user away while the page is hidden.
import type { PresenceMember } from "@convoy/shared";
import { signal } from "@preact/signals";
import { presenceSocket, request } from "../../net/connection.ts";
import { withEntry } from "../by-group.ts";

/** groupId → userId → member. */
export const presenceByGroup = signal<Record<string, Record<string, PresenceMember>>>({});

const followed = new Set<string>();

function setMember(groupId: string, member: PresenceMember): void {
  presenceByGroup.value = withEntry(presenceByGroup.value, groupId, member.userId, member);
}

async function subscribe(groupId: string): Promise<void> {
  const reply = await request(presenceSocket, "presence:subscribe", { groupId });
  if (!reply.ok) {
    // Subscribing to many groups at once can meet the server's event limit: try again when it says.
    const wait = "retryAfterMs" in reply.error ? reply.error.retryAfterMs : undefined;
    if (reply.error.code === "RATE_LIMITED") {
      setTimeout(() => {
        if (presenceSocket.connected && followed.has(groupId)) void subscribe(groupId);
      }, wait ?? 1000);
    }
    return;
  }
  presenceByGroup.value = {
    ...presenceByGroup.value,
    [groupId]: Object.fromEntries(reply.data.members.map((m) => [m.userId, m])),
  };
}

export function followPresence(groupId: string): void {
  if (followed.has(groupId)) return;
  followed.add(groupId);
  if (presenceSocket.connected) void subscribe(groupId);
}

export function stopPresence(): void {
  followed.clear();
  presenceByGroup.value = {};
}

function reportVisibility(): void {
  if (!presenceSocket.connected) return;
  presenceSocket.emit("presence:set", { status: document.hidden ? "away" : "online" }, () => {});
}

presenceSocket.on("presence:update", (update) => {
  const { groupId, ...member } = update;
  setMember(groupId, member);
});
presenceSocket.on("connect", () => {
  if (document.hidden) reportVisibility();
  for (const groupId of followed) void subscribe(groupId);
});
document.addEventListener("visibilitychange", reportVisibility);
