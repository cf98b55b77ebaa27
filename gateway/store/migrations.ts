/** Versioned schema migrations; each runs once, in order, inside a transaction. Never edit a released one: add a new one. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'devices, staff tokens, device health',
    sql: `
      CREATE TABLE devices (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,
        name          TEXT,
        secret_hash   TEXT NOT NULL,
        disabled      INTEGER NOT NULL DEFAULT 0,
        capabilities  TEXT NOT NULL,
        firmware      TEXT,
        created_at    INTEGER NOT NULL,
        secret_rotated_at INTEGER NOT NULL,
        last_seen_at  INTEGER
      ) STRICT;

      CREATE TABLE staff_tokens (
        id          TEXT PRIMARY KEY,
        token_hash  TEXT NOT NULL UNIQUE,
        role        TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        label       TEXT,
        created_at  INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at  INTEGER
      ) STRICT;

      CREATE TABLE device_health (
        device_id   TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        status      TEXT NOT NULL,
        reasons     TEXT NOT NULL,
        telemetry   TEXT,
        updated_at  INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE health_history (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id   TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        at          INTEGER NOT NULL,
        status      TEXT NOT NULL,
        reasons     TEXT NOT NULL,
        event       TEXT NOT NULL
      ) STRICT;
      CREATE INDEX health_history_device ON health_history(device_id, seq);
    `,
  },
];
