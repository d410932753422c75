// The embedded database's schema as forward-only migrations: entry i takes a
// database from user_version i to i + 1. Never edit a shipped entry; append one.

/** Marks a SQLite file as Convoy's (PRAGMA application_id): "CNVY". */
export const APPLICATION_ID = 0x434e5659;

export const MIGRATIONS: readonly string[] = [
  // 1: accounts, groups, memberships, chat history.
  `
  CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL
  );
  CREATE TABLE groups (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    invite_code TEXT NOT NULL UNIQUE,
    owner_id    TEXT NOT NULL,
    created_at  INTEGER NOT NULL
  );
  CREATE TABLE memberships (
    group_id TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX memberships_by_user ON memberships (user_id, group_id);
  -- seq numbers a group's messages from 1; the id on the wire is seq, zero-padded.
  CREATE TABLE messages (
    group_id      TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    user_id       TEXT NOT NULL,
    username      TEXT NOT NULL,
    text          TEXT NOT NULL,
    ts            INTEGER NOT NULL,
    client_msg_id TEXT NOT NULL,
    UNIQUE (group_id, seq)
  );
  CREATE UNIQUE INDEX messages_by_client_id ON messages (group_id, user_id, client_msg_id);
  `,
  // 2: server settings, such as the generated token signing key.
  `
  CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 3: sessions (a login each; revoking one deletes its row), and groups by owner.
  `
  CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_by_user ON sessions (user_id);
  CREATE INDEX sessions_by_expiry ON sessions (expires_at);
  -- The groups-owned quota counts by owner.
  CREATE INDEX groups_by_owner ON groups (owner_id);
  `,
  // 4: rides, their riders (and when each agreed to share), trails and alerts.
  `
  CREATE TABLE rides (
    id               TEXT PRIMARY KEY,
    group_id         TEXT NOT NULL,
    name             TEXT NOT NULL,
    started_by       TEXT NOT NULL,
    started_at       INTEGER NOT NULL,
    planned_end_at   INTEGER,
    ended_at         INTEGER,
    end_reason       TEXT,
    gap_m            INTEGER NOT NULL,
    stopped_ms       INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL
  );
  -- At most one ride under way per group.
  CREATE UNIQUE INDEX rides_under_way ON rides (group_id) WHERE ended_at IS NULL;
  CREATE INDEX rides_by_group ON rides (group_id, started_at);
  CREATE TABLE ride_riders (
    ride_id   TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    username  TEXT NOT NULL,
    joined_at INTEGER NOT NULL,
    left_at   INTEGER,
    PRIMARY KEY (ride_id, user_id)
  ) WITHOUT ROWID;
  CREATE TABLE trail_points (
    ride_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    lat     REAL NOT NULL,
    lng     REAL NOT NULL,
    ts      INTEGER NOT NULL,
    along   REAL NOT NULL,
    PRIMARY KEY (ride_id, user_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE ride_alerts (
    ride_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    alert   TEXT NOT NULL,
    PRIMARY KEY (ride_id, user_id)
  ) WITHOUT ROWID;
  `,
  // 5: direct messages' conversations (their messages live in messages, under a conversation key).
  `
  CREATE TABLE conversations (
    user_id    TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    last_ts    INTEGER NOT NULL,
    PRIMARY KEY (user_id, partner_id)
  ) WITHOUT ROWID;
  CREATE INDEX conversations_by_recency ON conversations (user_id, last_ts);
  `,
  // 6: SOS alerts (issue #14) and their receipts, one per member. next_alert_at is
  // when an open, unacknowledged SOS is alerted again (NULL: never again);
  // webhook_due is its raise time while its webhook may still be called (NULL:
  // claimed, or no longer needed).
  `
  CREATE TABLE sos (
    id            TEXT PRIMARY KEY,
    group_id      TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    username      TEXT NOT NULL,
    client_sos_id TEXT NOT NULL,
    note          TEXT,
    fix_lat       REAL,
    fix_lng       REAL,
    fix_accuracy  REAL,
    fix_ts        INTEGER,
    raised_at     INTEGER NOT NULL,
    resolved_at   INTEGER,
    resolved_by   TEXT,
    sent_count    INTEGER NOT NULL,
    acknowledged  INTEGER NOT NULL DEFAULT 0,
    next_alert_at INTEGER,
    webhook_due   INTEGER
  );
  CREATE UNIQUE INDEX sos_by_client_id ON sos (group_id, user_id, client_sos_id);
  -- At most one open SOS per rider and group.
  CREATE UNIQUE INDEX sos_open ON sos (group_id, user_id) WHERE resolved_at IS NULL;
  CREATE INDEX sos_resolved ON sos (group_id, resolved_at) WHERE resolved_at IS NOT NULL;
  CREATE INDEX sos_next_alert ON sos (next_alert_at) WHERE next_alert_at IS NOT NULL;
  CREATE INDEX sos_webhook_due ON sos (webhook_due) WHERE webhook_due IS NOT NULL;
  CREATE TABLE sos_receipts (
    sos_id   TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    username TEXT NOT NULL,
    -- 1 delivered, 2 seen, 3 acknowledged
    state    INTEGER NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (sos_id, user_id)
  ) WITHOUT ROWID;
  `,
];
