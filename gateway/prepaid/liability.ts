import * as z from 'zod';
import type { CsvColumn } from '../reports/csv.ts';
import type { ReadDb } from '../store/db-type.ts';

const Fen = z.number().int();

export const LiabilitySchema = z.object({
  at: z.string().describe('ISO 8601, UTC: the balances as of this moment'),
  residents: z.object({
    /** Stored value in residents' wallets: what the box holds for them (wallet:*, or its pseudonym). */
    walletsFen: Fen,
    wallets: z.number().int().describe('wallets holding more than zero'),
    /** Money on hold for a vend in progress (held:*): still the resident's until it is captured. */
    heldFen: Fen,
  }),
  merchants: z.array(
    z.object({
      merchantId: z.string(),
      name: z.string().nullable(),
      /** Captured stored-value sales not yet settled, net of reversals (merchant:<id>). */
      owedFen: Fen,
    }),
  ),
  /** Balances refunded on request, which the cloud pays the residents back (refund:stored-value). */
  refundsPendingFen: Fen,
  issuers: z.array(
    z.object({
      account: z.string(),
      /** Stored value this source put into the box net of what went back (minus its balance). */
      issuedFen: Fen,
    }),
  ),
  totals: z.object({
    /** Residents' wallets and holds, merchants owed and refunds pending: everything the issued money became. */
    outstandingFen: Fen,
    issuedFen: Fen,
    /** Fen accounts none of the above (none today): listed so the totals still reconcile. */
    otherFen: Fen,
    /** outstandingFen + otherFen = issuedFen: the ledger's double entry, as its balances hold it. */
    reconciled: z.boolean(),
  }),
});
export type Liability = z.infer<typeof LiabilitySchema>;

const ISSUER = /^(issuer|escrow):/;

/**
 * The outstanding stored-value liability from the ledger's balances (the `balances` table, kept in the same
 * transaction as every movement and checked against the chain by `linli ledger verify`): per issuer (the
 * accounts money is issued from: issuer:stored-value for opening balances, escrow:cloud for the cloud's
 * grants) and per merchant. Every fen account is counted exactly once, so the totals are the ledger's.
 */
export function liabilityReport(db: ReadDb, now: number): Liability {
  const rows = db
    .prepare<[], { account: string; balance: number }>(
      "SELECT account, balance FROM balances WHERE asset = 'fen' ORDER BY account",
    )
    .all();
  const names = new Map(
    db
      .prepare<[], { id: string; name: string }>('SELECT id, name FROM merchants')
      .all()
      .map((m) => [m.id, m.name]),
  );
  const r: Liability = {
    at: new Date(now).toISOString(),
    residents: { walletsFen: 0, wallets: 0, heldFen: 0 },
    merchants: [],
    refundsPendingFen: 0,
    issuers: [],
    totals: { outstandingFen: 0, issuedFen: 0, otherFen: 0, reconciled: false },
  };
  for (const { account, balance } of rows) {
    const [kind, ...rest] = account.split(':');
    const id = rest.join(':');
    // a wallet renamed to its pseudonym (PIPL retention or erasure) is still a resident's stored value: the only
    // fen accounts that name a resident are wallets
    if (kind === 'wallet' || kind === 'pseudo') {
      r.residents.walletsFen += balance;
      if (balance > 0) r.residents.wallets += 1;
    } else if (kind === 'held') r.residents.heldFen += balance;
    else if (kind === 'merchant') r.merchants.push({ merchantId: id, name: names.get(id) ?? null, owedFen: balance });
    else if (account === 'refund:stored-value') r.refundsPendingFen += balance;
    else if (ISSUER.test(account)) r.issuers.push({ account, issuedFen: -balance });
    else r.totals.otherFen += balance;
  }
  const owed = r.merchants.reduce((s, m) => s + m.owedFen, 0);
  r.totals.outstandingFen = r.residents.walletsFen + r.residents.heldFen + owed + r.refundsPendingFen;
  r.totals.issuedFen = r.issuers.reduce((s, i) => s + i.issuedFen, 0);
  r.totals.reconciled = r.totals.outstandingFen + r.totals.otherFen === r.totals.issuedFen;
  return r;
}

/** One line per figure, for Excel: what, whose, fen. */
export interface LiabilityLine {
  kind: 'residents_wallets' | 'residents_held' | 'merchant_owed' | 'refunds_pending' | 'issued' | 'other' | 'total';
  id: string;
  name: string;
  fen: number;
}

export function liabilityLines(l: Liability): LiabilityLine[] {
  return [
    { kind: 'residents_wallets', id: '', name: `${l.residents.wallets} wallets`, fen: l.residents.walletsFen },
    { kind: 'residents_held', id: '', name: '', fen: l.residents.heldFen },
    ...l.merchants.map((m) => ({
      kind: 'merchant_owed' as const,
      id: m.merchantId,
      name: m.name ?? '',
      fen: m.owedFen,
    })),
    { kind: 'refunds_pending', id: 'refund:stored-value', name: '', fen: l.refundsPendingFen },
    ...l.issuers.map((i) => ({ kind: 'issued' as const, id: i.account, name: '', fen: i.issuedFen })),
    { kind: 'other', id: '', name: '', fen: l.totals.otherFen },
    { kind: 'total', id: 'outstanding', name: '', fen: l.totals.outstandingFen },
    { kind: 'total', id: 'issued', name: '', fen: l.totals.issuedFen },
  ];
}

export const LIABILITY_CSV: CsvColumn<LiabilityLine>[] = [
  { header: 'kind', value: (r) => r.kind },
  { header: 'id', value: (r) => r.id },
  { header: 'name', value: (r) => r.name },
  { header: 'fen', value: (r) => r.fen },
  { header: 'yuan', value: (r) => (r.fen / 100).toFixed(2) },
];
