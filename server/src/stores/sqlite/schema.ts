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
];
