/**
 * Alerts and their history (a migration of the gateway's). An alert stays a row for good: acknowledging
 * or clearing it only fills its columns, so the history shows who dealt with what, and when. One open
 * alert per condition (`key`); device ids are not foreign keys, so history outlives a deleted device.
 */
export const ALERTS_SQL = `
  CREATE TABLE alerts (
    id           INTEGER PRIMARY KEY,
    key          TEXT NOT NULL,
    device_id    TEXT,
    code         TEXT NOT NULL,
    severity     TEXT NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
    message      TEXT NOT NULL,
    raised_at    INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    acked_at     INTEGER,
    acked_by     TEXT,
    ack_note     TEXT,
    cleared_at   INTEGER,
    cleared_by   TEXT
  ) STRICT;
  CREATE UNIQUE INDEX alerts_open ON alerts(key) WHERE cleared_at IS NULL;
  CREATE INDEX alerts_raised ON alerts(raised_at);
  CREATE INDEX alerts_device ON alerts(device_id, raised_at);
`;
