import { createHmac } from 'node:crypto';
import { isPseudonym, ledgerKey, pseudonymOf } from '../redemption/ledger/account-digest.ts';
import type { Db } from '../store/db-type.ts';

/** Ledger accounts that name a resident: their wallet, points and the uses of a benefit issued to them. */
export const PERSONAL_ACCOUNT = /^(wallet|points|uses):/;

/** The database's privacy key, or a clear error on a database that has not been upgraded (migration 24). */
export function privacyKey(db: Pick<Db, 'prepare'>): Buffer {
  const key = ledgerKey(db);
  if (!key)
    throw new Error('this database has no privacy key: it predates migration 24; start linli once to upgrade it');
  return key;
}

/**
 * A member's pseudonym in detail rows (redemptions, refunds): the same for every row of one member, so a
 * report grouping by member (repurchase rates) counts exactly as before; not reversible without the key.
 */
export function memberPseudonym(key: Buffer, memberId: string): string {
  if (memberId.startsWith('pseudo:')) return memberId;
  return `pseudo:${createHmac('sha256', key).update(`member:${memberId}`).digest('hex').slice(0, 32)}`;
}

/**
 * Renames ledger entries' accounts to their pseudonyms (the only UPDATE the ledger's trigger allows); hashes,
 * amounts and order stay, so the chain verifies and every balance still sums. Inside the caller's unit.
 */
export function pseudonymiseEntries(db: Db, key: Buffer, entries: readonly { seq: number; account: string }[]): number {
  const set = db.prepare('UPDATE ledger SET account = ? WHERE seq = ?');
  let n = 0;
  for (const e of entries) {
    if (isPseudonym(e.account)) continue;
    n += set.run(pseudonymOf(key, e.account), e.seq).changes;
  }
  return n;
}

/** Moves an account's balance rows to its pseudonym (an erased member's points or uses left). */
export function pseudonymiseBalances(db: Db, key: Buffer, account: string): number {
  const rows = db
    .prepare<[string], { asset: string; balance: number }>('SELECT asset, balance FROM balances WHERE account = ?')
    .all(account);
  const put = db.prepare(
    `INSERT INTO balances (account, asset, balance) VALUES (?, ?, ?)
     ON CONFLICT(account, asset) DO UPDATE SET balance = balance + excluded.balance`,
  );
  for (const r of rows) put.run(pseudonymOf(key, account), r.asset, r.balance);
  db.prepare('DELETE FROM balances WHERE account = ?').run(account);
  return rows.length;
}

/** Tables with a member column that stay (money records) with the member replaced by a pseudonym. */
export const MEMBER_COLUMNS: readonly { table: string; columns: readonly string[] }[] = [
  { table: 'redemptions', columns: ['member_id', 'payer_id'] },
  { table: 'prepaid_refunds', columns: ['member_id'] },
  { table: 'prepaid_refusals', columns: ['member_id'] },
  { table: 'charging_sessions', columns: ['member_id'] },
];

export function tableExists(db: Pick<Db, 'prepare'>, table: string): boolean {
  return (
    db
      .prepare<[string], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(table)?.n === 1
  );
}
