/** Tables of the redemption engine (migration 3, together with the ledger's own tables). */
export const REDEMPTION_SQL = `
  -- One row per business transaction (txn_id): the idempotency key devices retry with [FWP-4.3].
  CREATE TABLE redemptions (
    id               TEXT PRIMARY KEY,
    txn_id           TEXT NOT NULL UNIQUE,
    fingerprint      TEXT NOT NULL,
    device_id        TEXT,
    merchant_id      TEXT NOT NULL,
    member_id        TEXT NOT NULL,
    payer_id         TEXT,
    state            TEXT NOT NULL CHECK (state IN ('declined', 'held', 'captured', 'voided', 'reversed')),
    created_at       INTEGER NOT NULL,
    hold_expires_at  INTEGER,
    captured_at      INTEGER,
    closed_at        INTEGER,
    payable_fen      INTEGER NOT NULL,
    saving_fen       INTEGER NOT NULL,
    points_cost      INTEGER NOT NULL,
    points_earned    INTEGER NOT NULL,
    result           TEXT NOT NULL
  ) STRICT;
  CREATE INDEX redemptions_holds ON redemptions(hold_expires_at) WHERE state = 'held';
  CREATE INDEX redemptions_member ON redemptions(member_id, created_at);
  CREATE INDEX redemptions_merchant ON redemptions(merchant_id, created_at);

  -- Counters the rules read: per-member limits, period-card uses, budgets, family proxy spending.
  CREATE TABLE usage_counters (
    key        TEXT PRIMARY KEY,
    count      INTEGER NOT NULL CHECK (count >= 0),
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0)
  ) STRICT;

  -- What each redemption added to the counters, so a void or reversal takes exactly that back.
  CREATE TABLE redemption_counters (
    redemption_id TEXT NOT NULL REFERENCES redemptions(id),
    key           TEXT NOT NULL,
    count         INTEGER NOT NULL,
    amount_fen    INTEGER NOT NULL,
    PRIMARY KEY (redemption_id, key)
  ) STRICT;

  -- The benefits a redemption applied; a voided or reversed one no longer counts as a use.
  CREATE TABLE redemption_benefits (
    redemption_id TEXT NOT NULL REFERENCES redemptions(id),
    campaign_id   TEXT NOT NULL,
    instance_id   TEXT,
    saving_fen    INTEGER NOT NULL,
    PRIMARY KEY (redemption_id, campaign_id)
  ) STRICT;
  CREATE INDEX redemption_benefits_campaign ON redemption_benefits(campaign_id);
`;

/**
 * Migration 14: a `txn` is unique per device [FWP-4.3] (device makers number transactions per device),
 * so the key is (device, txn) instead of txn alone; a reversal remembers the request that made it, so a
 * retry of that reversal gets its answer and any other reversal of the same redemption is refused; a
 * secure card's tap counter or QR time step is bound to the one transaction that presented it, so a
 * retry of that transaction is not taken for a replay. SQLite cannot drop a UNIQUE constraint: the
 * table is rebuilt (foreign keys off for the migration, checked after).
 */
export const REDEMPTION_SQL_V14 = `
  CREATE TABLE redemptions_v14 (
    id               TEXT PRIMARY KEY,
    txn_id           TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    device_id        TEXT,
    merchant_id      TEXT NOT NULL,
    member_id        TEXT NOT NULL,
    payer_id         TEXT,
    state            TEXT NOT NULL CHECK (state IN ('declined', 'held', 'captured', 'voided', 'reversed')),
    created_at       INTEGER NOT NULL,
    hold_expires_at  INTEGER,
    captured_at      INTEGER,
    closed_at        INTEGER,
    payable_fen      INTEGER NOT NULL,
    saving_fen       INTEGER NOT NULL,
    points_cost      INTEGER NOT NULL,
    points_earned    INTEGER NOT NULL,
    result           TEXT NOT NULL,
    reversed_by      TEXT
  ) STRICT;
  INSERT INTO redemptions_v14 (id, txn_id, fingerprint, device_id, merchant_id, member_id, payer_id, state, created_at,
      hold_expires_at, captured_at, closed_at, payable_fen, saving_fen, points_cost, points_earned, result)
    SELECT id, txn_id, fingerprint, device_id, merchant_id, member_id, payer_id, state, created_at,
      hold_expires_at, captured_at, closed_at, payable_fen, saving_fen, points_cost, points_earned, result
    FROM redemptions;
  DROP TABLE redemptions;
  ALTER TABLE redemptions_v14 RENAME TO redemptions;
  CREATE UNIQUE INDEX redemptions_device_txn ON redemptions(ifnull(device_id, ''), txn_id);
  CREATE INDEX redemptions_holds ON redemptions(hold_expires_at) WHERE state = 'held';
  CREATE INDEX redemptions_member ON redemptions(member_id, created_at);
  CREATE INDEX redemptions_merchant ON redemptions(merchant_id, created_at);

  -- (card, counter) → the transaction that presented it: "device|txn", or '' for a staff look-up.
  CREATE TABLE credential_uses (
    lookup_key TEXT NOT NULL,
    counter    INTEGER NOT NULL,
    txn_key    TEXT NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (lookup_key, counter)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX credential_uses_at ON credential_uses(at);
`;
