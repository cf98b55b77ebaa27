/** Migration 15: the first answer to each device request, for resends [FWP-4.3]. */
export const ANSWERS_SQL = `
  -- (device, txn, op) → the request's hash and the first answer. The answer is NULL where the
  -- redemption record is the answer (redeem, authorize: their state moves on, and so does the answer).
  CREATE TABLE request_answers (
    device_id    TEXT NOT NULL,
    txn_id       TEXT NOT NULL,
    op           TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    answer       TEXT,
    at           INTEGER NOT NULL,
    PRIMARY KEY (device_id, txn_id, op)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX request_answers_at ON request_answers(at);
`;
