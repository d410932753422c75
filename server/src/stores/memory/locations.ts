import type { Position, RiderStopped } from "@convoy/shared";
import type { LocationStore } from "../types.ts";

interface GroupRiders {
  sharing: Set<string>;
  /** The store's own copy of each rider's latest position, overwritten in place. */
  latest: Map<string, { position: Position; receivedAt: number }>;
}

/** The fields `overwrite` copies; groupId and userId are the entry's key. */
type Copied = "username" | "lat" | "lng" | "accuracy" | "heading" | "speed" | "ts";
// A field added to Position fails to compile here until it is in Copied, and copied.
const everyFieldCopied: [Exclude<keyof Position, Copied | "groupId" | "userId">] extends [never]
  ? true
  : never = true;
void everyFieldCopied;

/**
 * A rider's entry lives as long as the ride; each new position is copied into
 * it rather than kept. A kept position would outlive a few young-generation
 * GCs and be promoted, and every rider's 1 Hz updates would then fill the old
 * generation with garbage for the main GC.
 */
function overwrite(stored: Position, position: Position): void {
  // groupId and userId are the entry's key; the input's copies of them would be kept alive.
  stored.username = position.username;
  stored.lat = position.lat;
  stored.lng = position.lng;
  stored.accuracy = position.accuracy;
  stored.heading = position.heading;
  stored.speed = position.speed;
  stored.ts = position.ts;
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
      if (!group?.sharing.has(position.userId)) return "refused";
      const current = group.latest.get(position.userId);
      if (!current) group.latest.set(position.userId, { position: { ...position }, receivedAt });
      else if (current.position.ts > position.ts) return "refused";
      else {
        overwrite(current.position, position);
        current.receivedAt = receivedAt;
      }
      // This process is the only node.
      return "kept";
    },
    async listen() {},
    async unlisten() {},
    async riders(groupId) {
      return [...(groups.get(groupId)?.latest.values() ?? [])].map((entry) => ({ ...entry.position }));
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
