import type { Position, RiderStopped } from "@convoy/shared";
import type { LocationStore } from "../types.ts";

interface GroupRiders {
  sharing: Set<string>;
  latest: Map<string, { position: Readonly<Position>; receivedAt: number }>;
}

export function createMemoryLocationStore(): LocationStore {
  const groups = new Map<string, GroupRiders>();
  const groupOf = (groupId: string): GroupRiders => {
    let group = groups.get(groupId);
    if (!group) groups.set(groupId, (group = { sharing: new Set(), latest: new Map() }));
    return group;
  };

  return {
    async setSharing(groupId, userId, sharing) {
      const group = groupOf(groupId);
      const changed = group.sharing.has(userId) !== sharing;
      if (sharing) group.sharing.add(userId);
      else {
        group.sharing.delete(userId);
        group.latest.delete(userId);
      }
      return { changed };
    },
    async isSharing(groupId, userId) {
      return groups.get(groupId)?.sharing.has(userId) ?? false;
    },
    async record(position, receivedAt) {
      const group = groups.get(position.groupId);
      if (!group?.sharing.has(position.userId)) return false;
      const current = group.latest.get(position.userId);
      if (current && current.position.ts > position.ts) return false;
      group.latest.set(position.userId, { position: Object.freeze({ ...position }), receivedAt });
      return true;
    },
    async riders(groupId) {
      return [...(groups.get(groupId)?.latest.values() ?? [])].map((entry) => entry.position);
    },
    async expire(cutoff) {
      const stopped: RiderStopped[] = [];
      for (const [groupId, group] of groups) {
        for (const [userId, entry] of group.latest) {
          if (entry.receivedAt >= cutoff) continue;
          group.latest.delete(userId);
          stopped.push({ groupId, userId });
        }
      }
      return stopped;
    },
  };
}
