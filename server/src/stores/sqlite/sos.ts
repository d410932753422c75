// SOS alerts in the embedded database: one row per SOS, one per member's
// receipt. Every change is one IMMEDIATE transaction, so a receipt, a
// resolution or a claimed re-send happens once.
import { SOS_RECEIPT_STATES, sosReceiptRank, type Sos, type SosReceipt } from "@convoy/shared";
import type { SosDraft, SosStore } from "../types.ts";
import type { Database } from "./database.ts";

interface Row {
  id: string;
  groupId: string;
  userId: string;
  username: string;
  clientSosId: string;
  note: string | null;
  fixLat: number | null;
  fixLng: number | null;
  fixAccuracy: number | null;
  fixTs: number | null;
  raisedAt: number;
  resolvedAt: number | null;
  resolvedBy: string | null;
  sentCount: number;
}

interface ReceiptRow {
  sosId: string;
  userId: string;
  username: string;
  state: number;
  at: number;
}

const COLUMNS = `id, group_id AS groupId, user_id AS userId, username, client_sos_id AS clientSosId, note,
  fix_lat AS fixLat, fix_lng AS fixLng, fix_accuracy AS fixAccuracy, fix_ts AS fixTs,
  raised_at AS raisedAt, resolved_at AS resolvedAt, resolved_by AS resolvedBy, sent_count AS sentCount`;
const RECEIPT_COLUMNS = "sos_id AS sosId, user_id AS userId, username, state, at";
/** Claimed per call at most, so that one sweep never holds the writer long. */
const CLAIM_BATCH = 100;

const toReceipt = (row: ReceiptRow): SosReceipt => ({
  userId: row.userId,
  username: row.username,
  state: SOS_RECEIPT_STATES[row.state - 1]!,
  at: row.at,
});

const toSos = (row: Row, receipts: ReceiptRow[]): Sos => ({
  id: row.id,
  groupId: row.groupId,
  userId: row.userId,
  username: row.username,
  clientSosId: row.clientSosId,
  note: row.note,
  fix:
    row.fixLat === null || row.fixLng === null || row.fixTs === null
      ? null
      : { lat: row.fixLat, lng: row.fixLng, accuracy: row.fixAccuracy, ts: row.fixTs },
  raisedAt: row.raisedAt,
  resolvedAt: row.resolvedAt,
  resolvedBy: row.resolvedBy,
  sentCount: row.sentCount,
  receipts: receipts.map(toReceipt),
});

export function createSqliteSosStore(db: Database): SosStore {
  const byId = db.sql.prepare<[string], Row>(`SELECT ${COLUMNS} FROM sos WHERE id = ?`);
  const byClientId = db.sql.prepare<[string, string, string], Row>(
    `SELECT ${COLUMNS} FROM sos WHERE group_id = ? AND user_id = ? AND client_sos_id = ?`,
  );
  const openOf = db.sql.prepare<[string, string], Row>(
    `SELECT ${COLUMNS} FROM sos WHERE group_id = ? AND user_id = ? AND resolved_at IS NULL`,
  );
  const openIn = db.sql.prepare<[string], Row>(
    `SELECT ${COLUMNS} FROM sos WHERE resolved_at IS NULL AND group_id IN (SELECT value FROM json_each(?))
     ORDER BY raised_at, id`,
  );
  const receiptsOf = db.sql.prepare<[string], ReceiptRow>(
    `SELECT ${RECEIPT_COLUMNS} FROM sos_receipts WHERE sos_id IN (SELECT value FROM json_each(?))
     ORDER BY at, user_id`,
  );
  const insert = db.sql.prepare(
    `INSERT INTO sos (id, group_id, user_id, username, client_sos_id, note, fix_lat, fix_lng, fix_accuracy,
       fix_ts, raised_at, sent_count, next_alert_at, webhook_due)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
  );
  const receiptState = db.sql
    .prepare<[string, string], number>("SELECT state FROM sos_receipts WHERE sos_id = ? AND user_id = ?")
    .pluck();
  const upsertReceipt = db.sql.prepare(
    `INSERT INTO sos_receipts (sos_id, user_id, username, state, at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (sos_id, user_id) DO UPDATE SET username = excluded.username, state = excluded.state, at = excluded.at`,
  );
  // Acknowledged: nobody needs waking any more.
  const markAcknowledged = db.sql.prepare(
    "UPDATE sos SET acknowledged = 1, next_alert_at = NULL, webhook_due = NULL WHERE id = ?",
  );
  const markResolved = db.sql.prepare(
    "UPDATE sos SET resolved_at = ?, resolved_by = ?, next_alert_at = NULL, webhook_due = NULL WHERE id = ?",
  );
  const resolvedPastKept = db.sql
    .prepare<[string, number], string>(
      `SELECT id FROM sos WHERE group_id = ? AND resolved_at IS NOT NULL
       ORDER BY resolved_at DESC, id DESC LIMIT -1 OFFSET ?`,
    )
    .pluck();
  const deleteSos = db.sql.prepare("DELETE FROM sos WHERE id = ?");
  const deleteReceipts = db.sql.prepare("DELETE FROM sos_receipts WHERE sos_id = ?");
  const dueAlerts = db.sql
    .prepare<[number, number], string>(
      "SELECT id FROM sos WHERE next_alert_at <= ? ORDER BY next_alert_at, id LIMIT ?",
    )
    .pluck();
  const markResent = db.sql.prepare(
    `UPDATE sos SET sent_count = sent_count + 1,
       next_alert_at = CASE WHEN sent_count + 1 >= ? THEN NULL ELSE ? END
     WHERE id = ?`,
  );
  const dueWebhooks = db.sql
    .prepare<[number, number], string>(
      "SELECT id FROM sos WHERE webhook_due <= ? ORDER BY webhook_due, id LIMIT ?",
    )
    .pluck();
  const claimWebhook = db.sql.prepare("UPDATE sos SET webhook_due = NULL WHERE id = ?");

  /** The SOSes of these rows, with their receipts, in the rows' order. */
  const withReceipts = (rows: Row[]): Sos[] => {
    if (rows.length === 0) return [];
    const receipts = new Map<string, ReceiptRow[]>();
    for (const receipt of receiptsOf.all(JSON.stringify(rows.map((row) => row.id)))) {
      const list = receipts.get(receipt.sosId);
      if (list) list.push(receipt);
      else receipts.set(receipt.sosId, [receipt]);
    }
    return rows.map((row) => toSos(row, receipts.get(row.id) ?? []));
  };
  const read = (id: string): Sos | null => {
    const row = byId.get(id);
    return row ? withReceipts([row])[0]! : null;
  };
  const readAll = (ids: string[]): Sos[] => withReceipts(ids.flatMap((id) => byId.get(id) ?? []));

  const raise = db.writer((draft: SosDraft, resendAt: number | null) => {
    const existing =
      byClientId.get(draft.groupId, draft.userId, draft.clientSosId) ??
      openOf.get(draft.groupId, draft.userId);
    if (existing) return { sos: withReceipts([existing])[0]!, isNew: false };
    const { fix } = draft;
    insert.run(
      draft.id,
      draft.groupId,
      draft.userId,
      draft.username,
      draft.clientSosId,
      draft.note,
      fix?.lat ?? null,
      fix?.lng ?? null,
      fix?.accuracy ?? null,
      fix?.ts ?? null,
      draft.raisedAt,
      resendAt,
      draft.raisedAt,
    );
    return { sos: read(draft.id)!, isNew: true };
  });

  const receipt = db.writer((sosId: string, next: SosReceipt) => {
    const row = byId.get(sosId);
    if (!row) return null;
    const rank = sosReceiptRank(next.state);
    const current = receiptState.get(sosId, next.userId) ?? 0;
    if (row.resolvedAt !== null || rank <= current) return { sos: withReceipts([row])[0]!, changed: false };
    upsertReceipt.run(sosId, next.userId, next.username, rank, next.at);
    if (next.state === "acknowledged") markAcknowledged.run(sosId);
    return { sos: read(sosId)!, changed: true };
  });

  const resolve = db.writer((sosId: string, by: { userId: string; at: number; keep: number }) => {
    const row = byId.get(sosId);
    if (!row) return null;
    if (row.resolvedAt !== null) return { sos: withReceipts([row])[0]!, changed: false };
    markResolved.run(by.at, by.userId, sosId);
    const sos = read(sosId)!;
    for (const old of resolvedPastKept.all(row.groupId, by.keep)) {
      deleteReceipts.run(old);
      deleteSos.run(old);
    }
    return { sos, changed: true };
  });

  const claimResends = db.writer((now: number, everyMs: number, maxSends: number) => {
    const ids = dueAlerts.all(now, CLAIM_BATCH);
    for (const id of ids) markResent.run(maxSends, now + everyMs, id);
    return readAll(ids);
  });

  const claimWebhooks = db.writer((raisedBy: number) => {
    const ids = dueWebhooks.all(raisedBy, CLAIM_BATCH);
    for (const id of ids) claimWebhook.run(id);
    return readAll(ids);
  });

  return {
    async raise(draft, resendAt) {
      return raise(draft, resendAt);
    },
    async find(id) {
      return read(id);
    },
    async active(groupIds) {
      return groupIds.length === 0 ? [] : withReceipts(openIn.all(JSON.stringify(groupIds)));
    },
    async receipt(sosId, next) {
      return receipt(sosId, next);
    },
    async resolve(sosId, by) {
      return resolve(sosId, by);
    },
    // Every sweep asks; a read first spares the writer's lock when nothing is due (the usual case).
    async claimResends(now, everyMs, maxSends) {
      return dueAlerts.all(now, 1).length === 0 ? [] : claimResends(now, everyMs, maxSends);
    },
    async claimWebhooks(raisedBy) {
      return dueWebhooks.all(raisedBy, 1).length === 0 ? [] : claimWebhooks(raisedBy);
    },
  };
}
