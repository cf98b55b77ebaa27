/** The ledger's tables (migration 4). Append-only by trigger; balances maintained in the same transaction. */
export const LEDGER_SQL = `
  CREATE TABLE ledger (
    seq            INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
    txn_id         TEXT NOT NULL,
    redemption_id  TEXT NOT NULL,
    account        TEXT NOT NULL,
    asset          TEXT NOT NULL CHECK (asset IN ('fen', 'points', 'uses')),
    delta          INTEGER NOT NULL CHECK (delta <> 0),
    reason         TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
  ) STRICT;
  CREATE INDEX ledger_redemption ON ledger(redemption_id);
  CREATE INDEX ledger_account ON ledger(account, asset);
  CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
  CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;

  CREATE TABLE balances (
    account TEXT NOT NULL,
    asset   TEXT NOT NULL,
    balance INTEGER NOT NULL,
    PRIMARY KEY (account, asset)
  ) STRICT;
`;
