import type { Db } from '../../store/db-type.ts';
import { hashedAccountCache, ledgerKey } from './account-digest.ts';
import { GENESIS_HASH, type LedgerRow, rowHash } from './entry-hash.ts';

interface LedgerProblem {
  kind: 'hash_mismatch' | 'chain_break' | 'seq_gap' | 'balance_mismatch' | 'asset_unbalanced';
  seq?: number;
  account?: string;
  detail: string;
}

export interface LedgerReport {
  ok: boolean;
  entries: number;
  accounts: number;
  problems: LedgerProblem[];
}

interface Row extends LedgerRow {
  prev_hash: string;
  hash: string;
}

/**
 * `linli ledger verify`: recomputes every hash and the chain, checks that sequence numbers have no gaps,
 * that each balance equals what the ledger sums to for its account, and that every asset sums to zero
 * (double entry). Streams the rows, so memory stays flat for millions of entries. Accounts are compared by
 * their keyed digest (migration 24), so an account's entries and balance renamed to its pseudonym
 * (`pseudo:<digest>`, retention or erasure) still add up with those not yet renamed.
 */
export function verifyLedger(db: Db, maxProblems = 100): LedgerReport {
  const problems: LedgerProblem[] = [];
  const add = (p: LedgerProblem) => {
    if (problems.length < maxProblems) problems.push(p);
  };
  const sums = new Map<string, number>();
  const assetSums = new Map<string, number>();
  let prev = GENESIS_HASH;
  let expected = 1;
  let entries = 0;
  // as many accounts as the sums below hold anyway: one HMAC per account, not per entry
  const hashed = hashedAccountCache(ledgerKey(db), 200_000);
  const names = new Map<string, string>();
  for (const r of db.prepare<[], Row>('SELECT * FROM ledger ORDER BY seq').iterate()) {
    entries += 1;
    if (r.seq !== expected) add({ kind: 'seq_gap', seq: r.seq, detail: `expected seq ${expected}, found ${r.seq}` });
    expected = r.seq + 1;
    if (r.prev_hash !== prev)
      add({ kind: 'chain_break', seq: r.seq, detail: 'prev_hash does not match the previous entry' });
    if (rowHash(r.prev_hash, r, hashed(r.account)) !== r.hash)
      add({ kind: 'hash_mismatch', seq: r.seq, detail: 'the entry was altered after it was written' });
    prev = r.hash;
    const key = `${hashed(r.account)}\u0000${r.asset}`;
    if (!names.has(key)) names.set(key, `${r.account} ${r.asset}`);
    sums.set(key, (sums.get(key) ?? 0) + r.delta);
    assetSums.set(r.asset, (assetSums.get(r.asset) ?? 0) + r.delta);
  }
  // an account's balance may sit in two rows for a while: its own, and its pseudonym's
  const balances = new Map<string, { label: string; balance: number }>();
  for (const b of db
    .prepare<[], { account: string; asset: string; balance: number }>('SELECT * FROM balances')
    .iterate()) {
    const key = `${hashed(b.account)}\u0000${b.asset}`;
    const had = balances.get(key);
    balances.set(key, { label: had?.label ?? `${b.account} (${b.asset})`, balance: (had?.balance ?? 0) + b.balance });
  }
  const seen = new Set<string>();
  for (const [key, b] of balances) {
    seen.add(key);
    const sum = sums.get(key) ?? 0;
    if (sum !== b.balance)
      add({ kind: 'balance_mismatch', account: b.label, detail: `balance ${b.balance}, ledger sums to ${sum}` });
  }
  for (const [key, sum] of sums) {
    if (!seen.has(key) && sum !== 0)
      add({
        kind: 'balance_mismatch',
        account: names.get(key) ?? key.replace('\u0000', ' '),
        detail: `no balance row, ledger sums to ${sum}`,
      });
  }
  for (const [asset, sum] of assetSums)
    if (sum !== 0) add({ kind: 'asset_unbalanced', detail: `${asset} movements sum to ${sum}, not 0` });
  return { ok: problems.length === 0, entries, accounts: sums.size, problems };
}
