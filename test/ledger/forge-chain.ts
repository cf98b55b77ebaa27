import { hashedAccountCache, ledgerKey } from '../../gateway/redemption/ledger/account-digest.ts';
import { GENESIS_HASH, type LedgerRow, rowHash } from '../../gateway/redemption/ledger/entry-hash.ts';
import type { Db } from '../../gateway/store/db-type.ts';

/**
 * What someone holding the file does to hide a change: edits entries (their time or amount) and recomputes
 * every hash from the first, so the chain is consistent in itself again and `ledger verify` passes.
 * Drops the append-only trigger to do it and leaves it dropped; balances are the caller's to follow.
 */
export function forgeChain(db: Db, edit: (r: LedgerRow) => LedgerRow): void {
  db.transaction(() => {
    db.exec('DROP TRIGGER ledger_no_update');
    const rows = db.prepare<[], LedgerRow>('SELECT * FROM ledger ORDER BY seq').all();
    const set = db.prepare('UPDATE ledger SET at = ?, delta = ?, prev_hash = ?, hash = ? WHERE seq = ?');
    const hashed = hashedAccountCache(ledgerKey(db));
    let prev = GENESIS_HASH;
    for (const row of rows) {
      const r = edit(row);
      const hash = rowHash(prev, r, hashed(r.account));
      set.run(r.at, r.delta, prev, hash, r.seq);
      prev = hash;
    }
  })();
}
