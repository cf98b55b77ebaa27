/** The outbox's tables (migration 11): events by stream, the streams' numbering, the cloud session. */
export const OUTBOX_SQL = `
  CREATE TABLE outbox (
    stream     TEXT NOT NULL,
    stream_seq INTEGER NOT NULL,
    event_id   TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    payload    TEXT NOT NULL,
    bytes      INTEGER NOT NULL,
    PRIMARY KEY (stream, stream_seq)
  ) STRICT;
  CREATE TABLE outbox_streams (
    stream    TEXT PRIMARY KEY,
    next_seq  INTEGER NOT NULL,
    acked_seq INTEGER NOT NULL DEFAULT 0,
    dropped   INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  -- The cloud session counter: +1 on every connection, kept across restarts.
  CREATE TABLE cloud_session (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    session INTEGER NOT NULL
  ) STRICT;
`;
