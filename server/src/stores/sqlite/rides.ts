import type { Ride, RideAlert, RideEndReason, RideRider } from "@convoy/shared";
import type { RideStore, StoredTrailPoint } from "../types.ts";
import type { Database } from "./database.ts";

interface RideRow {
  id: string;
  groupId: string;
  name: string;
  startedBy: string;
  startedAt: number;
  plannedEndAt: number | null;
  endedAt: number | null;
  endReason: RideEndReason | null;
  gapM: number;
  stoppedMs: number;
  lastActivityAt: number;
}

const RIDE_COLUMNS = `id, group_id AS groupId, name, started_by AS startedBy, started_at AS startedAt,
  planned_end_at AS plannedEndAt, ended_at AS endedAt, end_reason AS endReason, gap_m AS gapM,
  stopped_ms AS stoppedMs, last_activity_at AS lastActivityAt`;

export function createSqliteRideStore(db: Database): RideStore {
  const insertRide = db.sql.prepare(
    `INSERT INTO rides (id, group_id, name, started_by, started_at, planned_end_at, gap_m, stopped_ms, last_activity_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const byId = db.sql.prepare<[string], RideRow>(`SELECT ${RIDE_COLUMNS} FROM rides WHERE id = ?`);
  const activeInGroup = db.sql.prepare<[string], RideRow>(
    `SELECT ${RIDE_COLUMNS} FROM rides WHERE group_id = ? AND ended_at IS NULL`,
  );
  const allActive = db.sql.prepare<[], RideRow>(`SELECT ${RIDE_COLUMNS} FROM rides WHERE ended_at IS NULL`);
  const ofGroup = db.sql.prepare<[string, number], RideRow>(
    `SELECT ${RIDE_COLUMNS} FROM rides WHERE group_id = ? ORDER BY started_at DESC, id DESC LIMIT ?`,
  );
  const endedBeyond = db.sql
    .prepare<[string, number], string>(
      `SELECT id FROM rides WHERE group_id = ? AND ended_at IS NOT NULL
       ORDER BY started_at DESC, id DESC LIMIT -1 OFFSET ?`,
    )
    .pluck();
  const forget = [
    "rides WHERE id",
    "ride_riders WHERE ride_id",
    "trail_points WHERE ride_id",
    "ride_alerts WHERE ride_id",
  ].map((target) => db.sql.prepare(`DELETE FROM ${target} = ?`));
  const ridersOf = db.sql.prepare<[string], RideRider>(
    `SELECT user_id AS userId, username, joined_at AS joinedAt, left_at AS leftAt
     FROM ride_riders WHERE ride_id = ? ORDER BY joined_at, user_id`,
  );
  const upsertRider = db.sql.prepare(
    `INSERT INTO ride_riders (ride_id, user_id, username, joined_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (ride_id, user_id) DO UPDATE SET left_at = NULL`,
  );
  const leaveRider = db.sql.prepare(
    "UPDATE ride_riders SET left_at = ? WHERE ride_id = ? AND user_id = ? AND left_at IS NULL",
  );
  const leaveAll = db.sql.prepare("UPDATE ride_riders SET left_at = ? WHERE ride_id = ? AND left_at IS NULL");
  const endRide = db.sql.prepare(
    "UPDATE rides SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
  );
  const touch = db.sql.prepare(
    "UPDATE rides SET last_activity_at = max(last_activity_at, ?) WHERE id = ? AND ended_at IS NULL",
  );
  const lastSeq = db.sql
    .prepare<[string, string], number>(
      "SELECT coalesce(max(seq), 0) FROM trail_points WHERE ride_id = ? AND user_id = ?",
    )
    .pluck();
  const insertPoint = db.sql.prepare(
    "INSERT INTO trail_points (ride_id, user_id, seq, lat, lng, ts, along) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const deleteTrail = db.sql.prepare("DELETE FROM trail_points WHERE ride_id = ? AND user_id = ?");
  const pointsOf = db.sql.prepare<[string], StoredTrailPoint & { userId: string }>(
    "SELECT user_id AS userId, lat, lng, ts, along FROM trail_points WHERE ride_id = ? ORDER BY user_id, seq",
  );
  const insertAlert = db.sql.prepare(
    "INSERT INTO ride_alerts (ride_id, user_id, alert) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
  );
  const deleteAlert = db.sql.prepare("DELETE FROM ride_alerts WHERE ride_id = ? AND user_id = ?");
  const alertsOf = db.sql
    .prepare<[string], string>("SELECT alert FROM ride_alerts WHERE ride_id = ? ORDER BY user_id")
    .pluck();

  const withRiders = ({ lastActivityAt: _, ...row }: RideRow): Ride => ({
    ...row,
    riders: ridersOf.all(row.id),
  });
  const underWay = (rideId: string): RideRow | null => {
    const row = byId.get(rideId);
    return row && row.endedAt === null ? row : null;
  };

  const start = db.writer((ride: Ride, keep: number) => {
    if (activeInGroup.get(ride.groupId)) return false;
    const stored = insertRide.run(
      ride.id,
      ride.groupId,
      ride.name,
      ride.startedBy,
      ride.startedAt,
      ride.plannedEndAt,
      ride.gapM,
      ride.stoppedMs,
      ride.startedAt,
    );
    if (stored.changes === 0) return false;
    for (const rider of ride.riders) upsertRider.run(ride.id, rider.userId, rider.username, rider.joinedAt);
    // The one under way counts among those kept.
    for (const old of endedBeyond.all(ride.groupId, Math.max(keep - 1, 0)))
      for (const statement of forget) statement.run(old);
    return true;
  });
  const join = db.writer((rideId: string, rider: { userId: string; username: string; joinedAt: number }) => {
    const row = underWay(rideId);
    if (!row) return null;
    upsertRider.run(rideId, rider.userId, rider.username, rider.joinedAt);
    return withRiders(row);
  });
  const leave = db.writer((rideId: string, userId: string, at: number) => {
    const row = underWay(rideId);
    if (!row || leaveRider.run(at, rideId, userId).changes === 0) return null;
    return withRiders(row);
  });
  const end = db.writer((rideId: string, reason: RideEndReason, at: number) => {
    if (endRide.run(at, reason, rideId).changes === 0) return null;
    leaveAll.run(at, rideId);
    return withRiders(byId.get(rideId)!);
  });
  const append = db.writer(
    (rideId: string, userId: string, points: readonly StoredTrailPoint[], at: number) => {
      touch.run(at, rideId);
      let seq = points.length > 0 ? lastSeq.get(rideId, userId)! : 0;
      for (const p of points) insertPoint.run(rideId, userId, ++seq, p.lat, p.lng, p.ts, p.along);
    },
  );
  const replace = db.writer((rideId: string, userId: string, points: readonly StoredTrailPoint[]) => {
    deleteTrail.run(rideId, userId);
    points.forEach((p, i) => insertPoint.run(rideId, userId, i + 1, p.lat, p.lng, p.ts, p.along));
  });
  const raise = db.writer(
    (alert: RideAlert) => insertAlert.run(alert.rideId, alert.userId, JSON.stringify(alert)).changes,
  );
  const clear = db.writer((rideId: string, userId: string) => deleteAlert.run(rideId, userId).changes);

  return {
    async start(ride, keep) {
      return start(ride, keep);
    },
    async find(rideId) {
      const row = byId.get(rideId);
      return row ? withRiders(row) : null;
    },
    async activeIn(groupId) {
      const row = activeInGroup.get(groupId);
      return row ? withRiders(row) : null;
    },
    async allActive() {
      return allActive.all().map((row) => ({ ride: withRiders(row), lastActivityAt: row.lastActivityAt }));
    },
    async history(groupId, limit) {
      return ofGroup.all(groupId, limit).map(withRiders);
    },
    async join(rideId, rider) {
      return join(rideId, rider);
    },
    async leave(rideId, userId, at) {
      return leave(rideId, userId, at);
    },
    async end(rideId, reason, at) {
      return end(rideId, reason, at);
    },
    async appendTrail(rideId, userId, points, at) {
      append(rideId, userId, points, at);
    },
    async replaceTrail(rideId, userId, points) {
      replace(rideId, userId, points);
    },
    async trails(rideId, from) {
      const trails = new Map<string, StoredTrailPoint[]>();
      for (const { userId, ...point } of pointsOf.all(rideId)) {
        let trail = trails.get(userId);
        if (!trail) trails.set(userId, (trail = []));
        trail.push(point);
      }
      // Embedded mode reads a ride's trails once (it feeds them itself): no need to read less.
      if (from) for (const [userId, index] of from) trails.get(userId)?.splice(0, index);
      return trails;
    },
    async raiseAlert(alert) {
      return raise(alert) === 1;
    },
    async clearAlert(rideId, userId) {
      return clear(rideId, userId) === 1;
    },
    async alerts(rideId) {
      return alertsOf.all(rideId).map((json) => JSON.parse(json) as RideAlert);
    },
    // One process holds an embedded database: it always watches.
    async claimWatch() {
      return true;
    },
  };
}
