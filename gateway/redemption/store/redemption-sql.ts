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
