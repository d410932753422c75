// Who is online: per-user aggregation over all their /presence connections,
// and which groups hear about a change.
import type { PresenceMember, User } from "@convoy/shared";
import type { Clock } from "../clock.ts";
import type { PresenceChange, PresenceStore, UserStore } from "../stores/types.ts";
import type { Groups } from "./groups.ts";

/** A change of a user's aggregate status, and the groups to tell. */
export interface PresenceNotice {
  member: PresenceMember;
  groupIds: string[];
}

export function createPresence(store: PresenceStore, users: UserStore, groups: Groups, clock: Clock) {
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

    /** This node is alive. True when it had been taken for dead: its connections must be attached again. */
    heartbeat: () => store.heartbeat(clock.now()),

    /** Detaches the connections of nodes that died without a goodbye; the changes their groups must hear. */
    async reapDeadNodes(deadAfterMs: number): Promise<PresenceNotice[]> {
      const reaped = await store.reapDeadNodes(clock.now(), deadAfterMs);
      if (reaped.length === 0) return [];
      const byId = new Map(
        (await users.findMany([...new Set(reaped.map((r) => r.userId))])).map((u) => [u.id, u]),
      );
      const notices: PresenceNotice[] = [];
      for (const { userId, change } of reaped) {
        const user = byId.get(userId);
        const notice = user ? await noticeOf(user, change) : null;
        if (notice) notices.push(notice);
      }
      return notices;
    },

    forgetNode: () => store.forgetNode(),

    /** One user's aggregate status, as a group's member list shows it. */
    async memberState(user: User): Promise<PresenceMember> {
      const state = (await store.states([user.id])).get(user.id);
      return {
        userId: user.id,
        username: user.username,
        ...(state ?? { status: "offline", lastSeen: null }),
      };
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
