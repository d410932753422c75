import type { PresenceChange, PresenceState, PresenceStore } from "../types.ts";
import { aggregateStatus } from "../presence-state.ts";

interface UserPresence {
  /** connId → away */
  connections: Map<string, boolean>;
  lastSeen: number | null;
}

export function createMemoryPresenceStore(): PresenceStore {
  const users = new Map<string, UserPresence>();

  const stateOf = (user: UserPresence | undefined): PresenceState => {
    if (!user) return { status: "offline", lastSeen: null };
    let away = 0;
    for (const isAway of user.connections.values()) if (isAway) away++;
    return { status: aggregateStatus(user.connections.size, away), lastSeen: user.lastSeen };
  };

  const change = (userId: string, apply: (user: UserPresence) => void): PresenceChange => {
    let user = users.get(userId);
    const before = stateOf(user).status;
    if (!user) users.set(userId, (user = { connections: new Map(), lastSeen: null }));
    apply(user);
    return { before, after: stateOf(user) };
  };

  return {
    async attach(userId, connId) {
      return change(userId, (user) => user.connections.set(connId, false));
    },
    async setAway(userId, connId, away) {
      return change(userId, (user) => {
        if (user.connections.has(connId)) user.connections.set(connId, away);
      });
    },
    async detach(userId, connId, now) {
      return change(userId, (user) => {
        if (user.connections.delete(connId) && user.connections.size === 0) user.lastSeen = now;
      });
    },
    async states(userIds) {
      return new Map(userIds.map((id) => [id, stateOf(users.get(id))]));
    },
    // One process: there are no other nodes to outlive.
    async heartbeat() {
      return false;
    },
    async reapDeadNodes() {
      return [];
    },
    async forgetNode() {},
  };
}
