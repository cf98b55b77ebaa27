/**
 * Migration 26: what a restored database is to the cloud [CLP-3.12]. Each outbox event keeps the epoch it
 * was written in (a restored database writes its new events in a new epoch, while the backup's unsent
 * events must keep their ids); each restore records where the backup's numbering stopped per stream, and
 * which of the cloud's lost events were applied here [CLP-5.12].
 */
export const RESTORE_SQL = `
  ALTER TABLE outbox ADD COLUMN epoch TEXT;
  UPDATE outbox SET epoch = (SELECT epoch FROM cloud_session WHERE id = 1);
  -- one row per restore: the epoch the restored database writes in, the one its backup was in
  CREATE TABLE restores (
    epoch        TEXT PRIMARY KEY,
    from_epoch   TEXT NOT NULL,
    at           INTEGER NOT NULL,
    -- when the gateway.restored event was written (once), and when the lost tail was all applied
    announced_at INTEGER,
    recovered_at INTEGER
  ) STRICT;
  -- per stream, the last seq of from_epoch the backup holds: the new epoch numbers on after it
  CREATE TABLE restore_points (
    epoch  TEXT NOT NULL REFERENCES restores(epoch),
    stream TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (epoch, stream)
  ) STRICT;
  -- events of an old epoch the cloud had and the backup did not, applied here once each
  CREATE TABLE restore_applied (
    event_id   TEXT PRIMARY KEY,
    epoch      TEXT NOT NULL,
    outcome    TEXT NOT NULL CHECK (outcome IN ('applied', 'refused', 'ignored')),
    applied_at INTEGER NOT NULL
  ) STRICT;
`;
