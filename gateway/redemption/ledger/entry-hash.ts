import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

interface HashedFields {
  seq: number;
  at: number;
  txnId: string;
  redemptionId: string;
  account: string;
  asset: string;
  delta: number;
  reason: string;
}

/**
 * SHA-256 over the previous hash and the entry's fields in a fixed order, each field as its decimal or
 * text form prefixed by its UTF-8 byte length ("<len>:<value>"), so no two entries can encode alike.
 * An auditor can recompute the chain with a dozen lines in any language. Since migration 24 `account` is
 * the account's keyed digest (account-digest.ts: hashedAccount), so an account renamed to its pseudonym
 * keeps its entries' hashes.
 */
export function entryHash(prevHash: string, f: HashedFields): string {
  const h = createHash('sha256');
  h.update(prevHash);
  for (const v of [f.seq, f.at, f.txnId, f.redemptionId, f.account, f.asset, f.delta, f.reason]) {
    const s = String(v);
    h.update(`${Buffer.byteLength(s)}:${s}`);
  }
  return h.digest('hex');
}

/** A ledger entry as its row holds it (the table's column names). */
export interface LedgerRow {
  seq: number;
  at: number;
  txn_id: string;
  redemption_id: string;
  account: string;
  asset: string;
  delta: number;
  reason: string;
}

/** A row's hash, with `accountDigest` the account's keyed digest that the hash covers (migration 24). */
export function rowHash(prevHash: string, r: LedgerRow, accountDigest: string): string {
  return entryHash(prevHash, {
    seq: r.seq,
    at: r.at,
    txnId: r.txn_id,
    redemptionId: r.redemption_id,
    account: accountDigest,
    asset: r.asset,
    delta: r.delta,
    reason: r.reason,
  });
}
