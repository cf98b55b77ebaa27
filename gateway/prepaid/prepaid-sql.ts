/**
 * Migration 25: prepaid stored-value rules (《单用途商业预付卡管理办法》).
 * - members.card_type: 'registered' (实名) or 'anonymous' from the member's document; NULL reads as anonymous,
 *   the lower cap, so a document that does not say never lets more money onto a card than the law allows.
 * - prepaid_refunds: a balance refund per idempotency key, so a retry returns the first result.
 * - prepaid_refusals: top-ups refused over a cap, by their source's id, so a redelivery never credits them.
 * - daily_closes: the 日结 per merchant and local day, each hash covering the previous close's hash and the
 *   ledger's tip at the close; append-only like the ledger.
 * - ledger_merchant_at: a merchant's movements by time, for the close.
 */
export const PREPAID_SQL = `
  ALTER TABLE members ADD COLUMN card_type TEXT CHECK (card_type IN ('registered', 'anonymous'));

  CREATE TABLE prepaid_refunds (
    idempotency_key TEXT PRIMARY KEY,
    refund_id       TEXT NOT NULL UNIQUE,
    member_id       TEXT NOT NULL,
    amount_fen      INTEGER NOT NULL CHECK (amount_fen > 0),
    balance_after   INTEGER NOT NULL CHECK (balance_after >= 0),
    requested_by    TEXT NOT NULL,
    note            TEXT,
    at              INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX prepaid_refunds_at ON prepaid_refunds(at);

  CREATE TABLE prepaid_refusals (
    source_id   TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    amount_fen  INTEGER NOT NULL,
    balance_fen INTEGER NOT NULL,
    cap_fen     INTEGER NOT NULL,
    card_type   TEXT NOT NULL,
    at          INTEGER NOT NULL
  ) STRICT;

  -- the close reads a merchant's day of ledger movements: without this it scanned the merchant's whole history
  -- (0.9 s per day at 150,000 movements); partial, so only the merchant side of a sale pays for the index
  CREATE INDEX ledger_merchant_at ON ledger(account, at) WHERE account LIKE 'merchant:%';

  CREATE TABLE daily_closes (
    seq              INTEGER PRIMARY KEY,
    merchant_id      TEXT NOT NULL,
    day              TEXT NOT NULL,
    from_ms          INTEGER NOT NULL,
    to_ms            INTEGER NOT NULL,
    sales            INTEGER NOT NULL,
    gross_fen        INTEGER NOT NULL,
    benefits_fen     INTEGER NOT NULL,
    stored_value_fen INTEGER NOT NULL,
    reversals        INTEGER NOT NULL,
    refunds_fen      INTEGER NOT NULL,
    net_fen          INTEGER NOT NULL,
    closed_at        INTEGER NOT NULL,
    ledger_seq       INTEGER NOT NULL,
    ledger_hash      TEXT NOT NULL,
    prev_hash        TEXT NOT NULL,
    hash             TEXT NOT NULL,
    UNIQUE (merchant_id, day)
  ) STRICT;
  CREATE TRIGGER daily_closes_no_update BEFORE UPDATE ON daily_closes
    BEGIN SELECT RAISE(ABORT, 'daily closes are append-only'); END;
  CREATE TRIGGER daily_closes_no_delete BEFORE DELETE ON daily_closes
    BEGIN SELECT RAISE(ABORT, 'daily closes are append-only'); END;
`;
