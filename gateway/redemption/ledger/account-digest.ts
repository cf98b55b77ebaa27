import { createHmac } from 'node:crypto';
import type { Db } from '../../store/db-type.ts';

/** A ledger account whose owner was replaced by a pseudonym: `pseudo:` and the account's keyed digest. */
export const PSEUDO_PREFIX = 'pseudo:';
const PSEUDO = /^pseudo:[0-9a-f]{64}$/;

/**
 * The database's ledger key (migration 24), or undefined in a database from before it, whose entries still
 * hash the account in clear. The key sits in the database, not in secrets.json, so that `linli ledger verify`
 * works on any copy (a backup being checked, a doctor's read-only look) with nothing else at hand: a pseudonym
 * hides a resident from whoever reads the entries, exports and reports, not from the box's own administrator.
 */
export function ledgerKey(db: Pick<Db, 'prepare'>): Buffer | undefined {
  const table = db
    .prepare<[], { n: number }>(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'privacy_keys'",
    )
    .get();
  if (!table || table.n === 0) return undefined;
  return db.prepare<[], { ledger_key: Buffer }>('SELECT ledger_key FROM privacy_keys WHERE id = 1').get()?.ledger_key;
}

/** HMAC-SHA256(key, account): what an entry's hash covers in place of its account. */
export function accountDigest(key: Buffer, account: string): string {
  return createHmac('sha256', key).update(account).digest('hex');
}

export const isPseudonym = (account: string): boolean => PSEUDO.test(account);

/** The pseudonymous form of an account (itself when it already is one). */
export function pseudonymOf(key: Buffer, account: string): string {
  return isPseudonym(account) ? account : `${PSEUDO_PREFIX}${accountDigest(key, account)}`;
}

/**
 * The account as an entry's hash covers it: a pseudonym's digest as written; another account's digest under
 * the key; the account itself in a database without a key. Renaming an account to its pseudonym therefore
 * leaves every hash, the chain and its anchors in the cloud as they were.
 */
export function hashedAccount(key: Buffer | undefined, account: string): string {
  if (isPseudonym(account)) return account.slice(PSEUDO_PREFIX.length);
  return key ? accountDigest(key, account) : account;
}

/** hashedAccount, remembering the last few thousand accounts (a verify walks millions of entries). */
export function hashedAccountCache(key: Buffer | undefined, max = 4096): (account: string) => string {
  const seen = new Map<string, string>();
  return (account) => {
    const hit = seen.get(account);
    if (hit !== undefined) return hit;
    const h = hashedAccount(key, account);
    if (seen.size >= max) seen.clear();
    seen.set(account, h);
    return h;
  };
}
