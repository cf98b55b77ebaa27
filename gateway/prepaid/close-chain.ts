import { createHash } from 'node:crypto';
import { GENESIS_HASH } from '../redemption/ledger/entry-hash.ts';
import type { ReadDb } from '../store/db-type.ts';

/** A merchant's day as the close states it; every field is covered by the close's hash. */
export interface CloseFields {
  seq: number;
  merchantId: string;
  day: string;
  fromMs: number;
  toMs: number;
  sales: number;
  grossFen: number;
  benefitsFen: number;
  storedValueFen: number;
  reversals: number;
  refundsFen: number;
  netFen: number;
  closedAt: number;
  /** The ledger's tip when the close was written (0 and the genesis hash for an empty ledger). */
  ledgerSeq: number;
  ledgerHash: string;
}

const ORDER: (keyof CloseFields)[] = [
  'seq',
  'merchantId',
  'day',
  'fromMs',
  'toMs',
  'sales',
  'grossFen',
  'benefitsFen',
  'storedValueFen',
  'reversals',
  'refundsFen',
  'netFen',
  'closedAt',
  'ledgerSeq',
  'ledgerHash',
];

/**
 * SHA-256 over the previous close's hash and the fields in a fixed order, each "<byte length>:<text>" as the
 * ledger's entries are: a close pins both the close before it and the ledger's tip, so rewriting either
 * (or the ledger entries before that tip) breaks the chain where it is checked.
 */
export function closeHash(prevHash: string, f: CloseFields): string {
  const h = createHash('sha256');
  h.update(prevHash);
  for (const k of ORDER) {
    const s = String(f[k]);
    h.update(`${Buffer.byteLength(s)}:${s}`);
  }
  return h.digest('hex');
}

export interface CloseRow {
  seq: number;
  merchant_id: string;
  day: string;
  from_ms: number;
  to_ms: number;
  sales: number;
  gross_fen: number;
  benefits_fen: number;
  stored_value_fen: number;
  reversals: number;
  refunds_fen: number;
  net_fen: number;
  closed_at: number;
  ledger_seq: number;
  ledger_hash: string;
  prev_hash: string;
  hash: string;
}

export const fieldsOf = (r: CloseRow): CloseFields => ({
  seq: r.seq,
  merchantId: r.merchant_id,
  day: r.day,
  fromMs: r.from_ms,
  toMs: r.to_ms,
  sales: r.sales,
  grossFen: r.gross_fen,
  benefitsFen: r.benefits_fen,
  storedValueFen: r.stored_value_fen,
  reversals: r.reversals,
  refundsFen: r.refunds_fen,
  netFen: r.net_fen,
  closedAt: r.closed_at,
  ledgerSeq: r.ledger_seq,
  ledgerHash: r.ledger_hash,
});

export interface CloseProblem {
  kind: 'close_hash_mismatch' | 'close_chain_break' | 'close_seq_gap' | 'close_ledger_mismatch';
  seq: number;
  detail: string;
}

export interface ClosesReport {
  ok: boolean;
  closes: number;
  problems: CloseProblem[];
}

/**
 * Checks the daily closes: each hash recomputed, each linked to the one before, no seq missing, and the
 * ledger entry each close pinned still there with the hash it had (a ledger rewritten after a close, even
 * one consistent in itself, is caught here). Streams the rows; memory stays flat.
 */
export function verifyCloses(db: ReadDb, maxProblems = 100): ClosesReport {
  const problems: CloseProblem[] = [];
  const add = (p: CloseProblem) => {
    if (problems.length < maxProblems) problems.push(p);
  };
  const ledgerHashAt = db.prepare<[number], { hash: string }>('SELECT hash FROM ledger WHERE seq = ?');
  let prev = GENESIS_HASH;
  let expected = 1;
  let closes = 0;
  for (const r of db.prepare<[], CloseRow>('SELECT * FROM daily_closes ORDER BY seq').iterate()) {
    closes += 1;
    if (r.seq !== expected) add({ kind: 'close_seq_gap', seq: r.seq, detail: `expected close ${expected}` });
    expected = r.seq + 1;
    if (r.prev_hash !== prev)
      add({ kind: 'close_chain_break', seq: r.seq, detail: 'prev_hash does not match the previous close' });
    if (closeHash(r.prev_hash, fieldsOf(r)) !== r.hash)
      add({ kind: 'close_hash_mismatch', seq: r.seq, detail: `the close of ${r.merchant_id} ${r.day} was altered` });
    prev = r.hash;
    const pinned = r.ledger_seq === 0 ? GENESIS_HASH : ledgerHashAt.get(r.ledger_seq)?.hash;
    if (pinned !== r.ledger_hash)
      add({
        kind: 'close_ledger_mismatch',
        seq: r.seq,
        detail: `ledger entry ${r.ledger_seq} is not the one the close of ${r.merchant_id} ${r.day} pinned`,
      });
  }
  return { ok: problems.length === 0, closes, problems };
}
