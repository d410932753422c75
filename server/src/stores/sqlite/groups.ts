import type { Group } from "@convoy/shared";
import type { GroupStore } from "../types.ts";
import type { Database } from "./database.ts";
import { selectByIds } from "./select-by-ids.ts";

const COLUMNS = "id, name, invite_code AS inviteCode, owner_id AS ownerId, created_at AS createdAt";

export function createSqliteGroupStore(db: Database): GroupStore {
  const insertGroup = db.sql.prepare(
    "INSERT INTO groups (id, name, invite_code, owner_id, created_at) VALUES (?, ?, ?, ?, ?)",
  );
  const insertMember = db.sql.prepare(
    "INSERT INTO memberships (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
  );
  const byId = db.sql.prepare<[string], Group>(`SELECT ${COLUMNS} FROM groups WHERE id = ?`);
  const byInvite = db.sql.prepare<[string], Group>(`SELECT ${COLUMNS} FROM groups WHERE invite_code = ?`);
  const byIds = db.sql.prepare<[string], Group>(
    `SELECT ${COLUMNS} FROM groups WHERE id IN (SELECT value FROM json_each(?))`,
  );
  const isMember = db.sql
    .prepare<[string, string], number>("SELECT 1 FROM memberships WHERE group_id = ? AND user_id = ?")
    .pluck();
  const memberIds = db.sql
    .prepare<[string], string>("SELECT user_id FROM memberships WHERE group_id = ?")
    .pluck();
  const groupIdsOf = db.sql
    .prepare<[string], string>("SELECT group_id FROM memberships WHERE user_id = ?")
    .pluck();

  const ownedCount = db.sql
    .prepare<[string], number>("SELECT count(*) FROM groups WHERE owner_id = ?")
    .pluck();
  const memberCount = db.sql
    .prepare<[string], number>("SELECT count(*) FROM memberships WHERE group_id = ?")
    .pluck();

  // Counted and stored in one transaction: two requests at once cannot both take the last place.
  const create = db.writer((group: Group, maxOwned: number) => {
    if (ownedCount.get(group.ownerId)! >= maxOwned) return false;
    insertGroup.run(group.id, group.name, group.inviteCode, group.ownerId, group.createdAt);
    insertMember.run(group.id, group.ownerId);
    return true;
  });
  const addMember = db.writer((groupId: string, userId: string, maxMembers: number) => {
    if (isMember.get(groupId, userId) === 1) return "member" as const;
    if (memberCount.get(groupId)! >= maxMembers) return "full" as const;
    insertMember.run(groupId, userId);
    return "added" as const;
  });

  return {
    async create(group, maxOwned) {
      return create(group, maxOwned);
    },
    async findById(id) {
      return byId.get(id) ?? null;
    },
    async findByInviteCode(inviteCode) {
      return byInvite.get(inviteCode) ?? null;
    },
    async findMany(ids) {
      return selectByIds(byIds, ids);
    },
    async addMember(groupId, userId, maxMembers) {
      return addMember(groupId, userId, maxMembers);
    },
    async isMember(groupId, userId) {
      return isMember.get(groupId, userId) === 1;
    },
    async memberIds(groupId) {
      return memberIds.all(groupId);
    },
    async groupIdsOf(userId) {
      return groupIdsOf.all(userId);
    },
  };
}
