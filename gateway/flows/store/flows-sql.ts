/** Schema of the device flows: parcels and group buys at lockers, door access, activity check-ins. */
export const FLOWS_SQL = `
  -- A parcel in a locker. The pickup code is kept only as a keyed hash (code_hash).
  CREATE TABLE parcels (
    id              TEXT PRIMARY KEY,
    txn_id          TEXT NOT NULL UNIQUE,
    locker_id       TEXT NOT NULL,
    compartment     TEXT NOT NULL,
    member_id       TEXT NOT NULL REFERENCES members(id),
    tracking        TEXT NOT NULL,
    size            TEXT NOT NULL,
    group_buy_id    TEXT,
    status          TEXT NOT NULL CHECK (status IN ('depositing', 'stored', 'opening', 'picked_up', 'deposit_failed')),
    code_hash       TEXT,
    code_expires_at INTEGER,
    created_at      INTEGER NOT NULL,
    stored_at       INTEGER,
    picked_up_at    INTEGER,
    pickup_txn      TEXT
  ) STRICT;
  CREATE INDEX parcels_locker ON parcels(locker_id, status);
  CREATE INDEX parcels_member ON parcels(member_id, status);
  CREATE INDEX parcels_code ON parcels(locker_id, code_hash);

  -- What to tell a member through the cloud (parcel arrived with its code, group buy formed); drained by cloud sync.
  CREATE TABLE member_notices (
    id         INTEGER PRIMARY KEY,
    member_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE group_buys (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    target_qty INTEGER NOT NULL CHECK (target_qty > 0),
    status     TEXT NOT NULL CHECK (status IN ('forming', 'formed', 'delivered', 'cancelled')),
    closes_at  INTEGER,
    created_at INTEGER NOT NULL,
    formed_at  INTEGER
  ) STRICT;
  CREATE TABLE group_buy_orders (
    group_buy_id TEXT NOT NULL REFERENCES group_buys(id),
    member_id    TEXT NOT NULL REFERENCES members(id),
    qty          INTEGER NOT NULL CHECK (qty > 0),
    joined_at    INTEGER NOT NULL,
    parcel_id    TEXT,
    PRIMARY KEY (group_buy_id, member_id)
  ) STRICT;

  -- Which zone (building, gate) each door of a reader opens.
  CREATE TABLE access_points (
    device_id TEXT NOT NULL,
    door      TEXT NOT NULL,
    zone      TEXT NOT NULL,
    PRIMARY KEY (device_id, door)
  ) STRICT;
  -- Who may open which zone when: a member or a whole tier (e.g. tier "staff", zone "*").
  CREATE TABLE access_rules (
    id          TEXT PRIMARY KEY,
    member_id   TEXT,
    tier        TEXT,
    zone        TEXT NOT NULL,
    weekdays    TEXT NOT NULL DEFAULT '1234567',
    from_min    INTEGER NOT NULL DEFAULT 0 CHECK (from_min BETWEEN 0 AND 1440),
    to_min      INTEGER NOT NULL DEFAULT 1440 CHECK (to_min BETWEEN 0 AND 1440),
    valid_until INTEGER,
    CHECK ((member_id IS NULL) != (tier IS NULL))
  ) STRICT;
  CREATE TABLE visitor_codes (
    code_hash      TEXT PRIMARY KEY,
    zone           TEXT NOT NULL,
    host_member_id TEXT,
    label          TEXT,
    valid_from     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    uses_left      INTEGER,
    created_at     INTEGER NOT NULL
  ) STRICT;
  -- A reader set to a community activity: a tap checks the member in and earns points once.
  CREATE TABLE activity_events (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    device_id TEXT NOT NULL,
    points    INTEGER NOT NULL CHECK (points > 0),
    starts_at INTEGER NOT NULL,
    ends_at   INTEGER NOT NULL
  ) STRICT;
  -- Every access decision, granted or not.
  CREATE TABLE access_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    door      TEXT NOT NULL,
    zone      TEXT NOT NULL,
    subject   TEXT,
    method    TEXT NOT NULL,
    decision  TEXT NOT NULL CHECK (decision IN ('granted', 'denied', 'checked_in')),
    reason    TEXT NOT NULL,
    txn_id    TEXT
  ) STRICT;
  CREATE INDEX access_log_at ON access_log(at);
  CREATE INDEX access_log_device ON access_log(device_id, at);
`;

/** Migration 14: a deposit's `txn` is unique per locker [FWP-4.3], not across all lockers. */
export const FLOWS_SQL_V14 = `
  CREATE TABLE parcels_v14 (
    id              TEXT PRIMARY KEY,
    txn_id          TEXT NOT NULL,
    locker_id       TEXT NOT NULL,
    compartment     TEXT NOT NULL,
    member_id       TEXT NOT NULL REFERENCES members(id),
    tracking        TEXT NOT NULL,
    size            TEXT NOT NULL,
    group_buy_id    TEXT,
    status          TEXT NOT NULL CHECK (status IN ('depositing', 'stored', 'opening', 'picked_up', 'deposit_failed')),
    code_hash       TEXT,
    code_expires_at INTEGER,
    created_at      INTEGER NOT NULL,
    stored_at       INTEGER,
    picked_up_at    INTEGER,
    pickup_txn      TEXT,
    UNIQUE (locker_id, txn_id)
  ) STRICT;
  INSERT INTO parcels_v14 (id, txn_id, locker_id, compartment, member_id, tracking, size, group_buy_id, status,
      code_hash, code_expires_at, created_at, stored_at, picked_up_at, pickup_txn)
    SELECT id, txn_id, locker_id, compartment, member_id, tracking, size, group_buy_id, status, code_hash,
      code_expires_at, created_at, stored_at, picked_up_at, pickup_txn FROM parcels;
  DROP TABLE parcels;
  ALTER TABLE parcels_v14 RENAME TO parcels;
  CREATE INDEX parcels_locker ON parcels(locker_id, status);
  CREATE INDEX parcels_member ON parcels(member_id, status);
  CREATE INDEX parcels_code ON parcels(locker_id, code_hash);
`;
