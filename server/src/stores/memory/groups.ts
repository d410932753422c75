import type { Group } from "@convoy/shared";
import type { GroupStore } from "../types.ts";

export function createMemoryGroupStore(): GroupStore {
  const groups = new Map<string, Readonly<Group>>();
  const idByInvite = new Map<string, string>();
  const members = new Map<string, Set<string>>();
  const groupsOfUser = new Map<string, Set<string>>();

  const addTo = (index: Map<string, Set<string>>, key: string, value: string) => {
    let set = index.get(key);
    if (!set) index.set(key, (set = new Set()));
    set.add(value);
  };

  return {
    async create(group) {
      groups.set(group.id, Object.freeze({ ...group }));
      idByInvite.set(group.inviteCode, group.id);
      addTo(members, group.id, group.ownerId);
      addTo(groupsOfUser, group.ownerId, group.id);
    },
    async findById(id) {
      return groups.get(id) ?? null;
    },
    async findByInviteCode(inviteCode) {
      const id = idByInvite.get(inviteCode);
      return (id !== undefined && groups.get(id)) || null;
    },
    async findMany(ids) {
      return ids.flatMap((id) => groups.get(id) ?? []);
    },
    async addMember(groupId, userId) {
      const isNew = !(members.get(groupId)?.has(userId) ?? false);
      addTo(members, groupId, userId);
      addTo(groupsOfUser, userId, groupId);
      return isNew;
    },
    async isMember(groupId, userId) {
      return members.get(groupId)?.has(userId) ?? false;
    },
    async memberIds(groupId) {
      return [...(members.get(groupId) ?? [])];
    },
    async groupIdsOf(userId) {
      return [...(groupsOfUser.get(userId) ?? [])];
    },
  };
}
