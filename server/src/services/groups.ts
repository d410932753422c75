// Groups and membership. Every room action elsewhere goes through requireMember.
import { randomBytes, randomUUID } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Group, GroupDetailResponse, User } from "@convoy/shared";
import type { Clock } from "../clock.ts";
import { AppError } from "../errors.ts";
import type { GroupStore, UserStore } from "../stores/types.ts";

/** 96 random bits, URL-safe. */
const newInviteCode = () => randomBytes(12).toString("base64url");

/** Memberships this node remembers, at most (about 100 bytes each). */
const KNOWN_MEMBERSHIPS = 100_000;

export function createGroups(
  groups: GroupStore,
  users: UserStore,
  clock: Clock,
  quotas: { groupsOwnedPerUser: number; membersPerGroup: number },
) {
  // Nobody leaves a group or is removed from one (SPEC v2), so a membership once
  // seen holds for good: every chat message and position skips a store read.
  const knownMembers = new LRUCache<string, true>({ max: KNOWN_MEMBERSHIPS });

  /** NOT_FOUND for a group that does not exist, FORBIDDEN for one the user is not in. */
  async function requireMember(groupId: string, userId: string): Promise<void> {
    const key = `${groupId}\u0000${userId}`;
    if (knownMembers.has(key)) return;
    if (await groups.isMember(groupId, userId)) {
      knownMembers.set(key, true);
      return;
    }
    if (await groups.findById(groupId)) throw new AppError("FORBIDDEN", "not a member of this group");
    throw new AppError("NOT_FOUND", "no such group");
  }

  return {
    requireMember,

    async create(owner: User, name: string): Promise<Group> {
      const group: Group = {
        id: randomUUID(),
        name,
        inviteCode: newInviteCode(),
        ownerId: owner.id,
        createdAt: clock.now(),
      };
      if (!(await groups.create(group, quotas.groupsOwnedPerUser))) {
        throw new AppError("QUOTA_EXCEEDED", `you already own ${quotas.groupsOwnedPerUser} groups`);
      }
      return group;
    },

    /** Joining a group one is already in is a no-op that answers the group. */
    /** `isNew`: false when the user was a member already (joining again changes nothing). */
    async join(user: User, inviteCode: string): Promise<{ group: Group; isNew: boolean }> {
      const group = await groups.findByInviteCode(inviteCode);
      if (!group) throw new AppError("NOT_FOUND", "no group has that invite code");
      const outcome = await groups.addMember(group.id, user.id, quotas.membersPerGroup);
      if (outcome === "full") {
        throw new AppError("QUOTA_EXCEEDED", `this group has ${quotas.membersPerGroup} members, its most`);
      }
      return { group, isNew: outcome === "added" };
    },

    async listFor(userId: string): Promise<Group[]> {
      const list = await groups.findMany(await groups.groupIdsOf(userId));
      return list.sort((a, b) => a.createdAt - b.createdAt);
    },

    async detail(groupId: string, userId: string): Promise<GroupDetailResponse> {
      await requireMember(groupId, userId);
      const group = await groups.findById(groupId);
      if (!group) throw new AppError("NOT_FOUND", "no such group");
      return { group, members: await users.findMany(await groups.memberIds(groupId)) };
    },

    memberIds: (groupId: string) => groups.memberIds(groupId),
    /** No membership check: for the server's own use (an SOS webhook names the group). */
    findById: (groupId: string) => groups.findById(groupId),
    groupIdsOf: (userId: string) => groups.groupIdsOf(userId),
  };
}
export type Groups = ReturnType<typeof createGroups>;
