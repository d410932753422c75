// Who is online: per-user aggregation over all their /presence connections,
// and which groups hear about a change.
import type { PresenceMember, User } from "@convoy/shared";
import type { Clock } from "../clock.ts";
import type { PresenceChange, PresenceStore } from "../stores/types.ts";
import type { Groups } from "./groups.ts";

/** A change of a user's aggregate status, and the groups to tell. */
export interface PresenceNotice {
  member: PresenceMember;
  groupIds: string[];
}

export function createPresence(store: PresenceStore, groups: Groups, clock: Clock) {
  async function noticeOf(user: User, change: PresenceChange): Promise<PresenceNotice | null> {
    if (change.before === change.after.status) return null;
    return {
      member: { userId: user.id, username: user.username, ...change.after },
      groupIds: await groups.groupIdsOf(user.id),
    };
  }

  return {
    async connect(user: User, connId: string) {
      return noticeOf(user, await store.attach(user.id, connId));
    },

    async set(user: User, connId: string, status: "online" | "away") {
      const change = await store.setAway(user.id, connId, status === "away");
      return { status: change.after.status, notice: await noticeOf(user, change) };
    },

    async disconnect(user: User, connId: string) {
      return noticeOf(user, await store.detach(user.id, connId, clock.now()));
    },

    async members(user: User, groupId: string): Promise<PresenceMember[]> {
      const detail = await groups.detail(groupId, user.id);
      const states = await store.states(detail.members.map((member) => member.id));
      return detail.members.map((member) => ({
        userId: member.id,
        username: member.username,
        ...(states.get(member.id) ?? { status: "offline", lastSeen: null }),
      }));
    },
  };
}
export type Presence = ReturnType<typeof createPresence>;
