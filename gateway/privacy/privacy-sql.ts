import type { Db } from '../store/db-type.ts';
import { accountDigest } from '../redemption/ledger/account-digest.ts';
import { GENESIS_HASH, type LedgerRow, rowHash } from '../redemption/ledger/entry-hash.ts';

/**
 * Migration 24: personal information kept only as long as needed (PIPL). The ledger key that turns accounts
 * into digests and pseudonyms; the access log's daily counts kept after its rows go; who erased which
 * member (by pseudonym) and when.
 */
export const PRIVACY_SQL = `
  CREATE TABLE privacy_keys (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    ledger_key BLOB NOT NULL CHECK (length(ledger_key) = 32)
  ) STRICT;
  INSERT INTO privacy_keys (id, ledger_key) VALUES (1, randomblob(32));

  -- what is left of access log rows past privacy.accessLogDays: counts per door, day (Asia/Shanghai) and decision
  CREATE TABLE access_log_daily (
    day       TEXT NOT NULL,
    device_id TEXT NOT NULL,
    door      TEXT NOT NULL,
    zone      TEXT NOT NULL,
    decision  TEXT NOT NULL,
    count     INTEGER NOT NULL CHECK (count > 0),
    PRIMARY KEY (day, device_id, door, zone, decision)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE member_erasures (
    id        INTEGER PRIMARY KEY,
    pseudonym TEXT NOT NULL,
    by        TEXT NOT NULL,
    at        INTEGER NOT NULL,
    removed   TEXT NOT NULL
  ) STRICT;

  -- how far the retention sweep got, per table walked in insertion order (rowid, seq)
  CREATE TABLE privacy_progress (
    job  TEXT PRIMARY KEY,
    upto INTEGER NOT NULL
  ) STRICT;

  DROP TRIGGER ledger_no_update;
`;

/**
 * The one change the ledger allows after migration 24: an account renamed to its pseudonym, every other
 * column as it was (its hash covers the digest, so the chain still verifies; verify checks the digest).
 */
const LEDGER_PSEUDONYM_ONLY = `
  CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
    WHEN NOT (NEW.seq = OLD.seq AND NEW.at = OLD.at AND NEW.txn_id = OLD.txn_id
      AND NEW.redemption_id = OLD.redemption_id AND NEW.asset = OLD.asset AND NEW.delta = OLD.delta
      AND NEW.reason = OLD.reason AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
      AND OLD.account NOT LIKE 'pseudo:%' AND NEW.account LIKE 'pseudo:%' AND length(NEW.account) = 71)
  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
`;

/**
 * Re-hashes the chain once with each account's digest in place of the account (entries written before this
 * release hashed it in clear); nothing else changes. No anchor of the chain exists yet (migration 27 comes
 * after), so the cloud has no old hash to compare with. One pass in the migration's transaction.
 */
export function rehashLedger(db: Db): void {
  const key = db
    .prepare<[], { ledger_key: Buffer }>('SELECT ledger_key FROM privacy_keys WHERE id = 1')
    .get()?.ledger_key;
  if (!key) throw new Error('migration 24: the ledger key was not created');
  const set = db.prepare('UPDATE ledger SET prev_hash = ?, hash = ? WHERE seq = ?');
  const digests = new Map<string, string>();
  // in pages by seq: a million redemptions' entries would not fit in a Pi's memory at once
  const page = db.prepare<[number], LedgerRow>(
    'SELECT seq, at, txn_id, redemption_id, account, asset, delta, reason FROM ledger ' +
      'WHERE seq > ? ORDER BY seq LIMIT 5000',
  );
  let prev = GENESIS_HASH;
  let after = 0;
  for (let rows = page.all(after); rows.length > 0; rows = page.all(after)) {
    for (const r of rows) {
      let d = digests.get(r.account);
      if (d === undefined) {
        d = accountDigest(key, r.account);
        if (digests.size > 100_000) digests.clear();
        digests.set(r.account, d);
      }
      const hash = rowHash(prev, r, d);
      set.run(prev, hash, r.seq);
      prev = hash;
      after = r.seq;
    }
  }
  db.exec(LEDGER_PSEUDONYM_ONLY);
}
