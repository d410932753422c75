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

  const create = db.writer((group: Group) => {
    insertGroup.run(group.id, group.name, group.inviteCode, group.ownerId, group.createdAt);
    insertMember.run(group.id, group.ownerId);
  });
  const addMember = db.writer((groupId: string, userId: string) => insertMember.run(groupId, userId).changes);

  return {
    async create(group) {
      create(group);
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
    async addMember(groupId, userId) {
      return addMember(groupId, userId) === 1;
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
