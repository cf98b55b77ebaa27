import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liabilityReport } from '../../gateway/prepaid/liability.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { type PrepaidHarness, prepaidHarness } from './prepaid-harness.ts';

const MEMBERS = ['m-1', 'm-2', 'm-3'];
const MERCHANTS = ['cafe-01', 'shop-02'];

const Op = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('grant' as const),
      m: fc.constantFrom(...MEMBERS),
      fen: fc.integer({ min: 1, max: 60_000 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('pay' as const),
      m: fc.constantFrom(...MEMBERS),
      shop: fc.constantFrom(...MERCHANTS),
      fen: fc.integer({ min: 1, max: 8_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reverse' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('refund' as const), m: fc.constantFrom(...MEMBERS), part: fc.boolean() }),
  },
);

/** The ledger's own sums, from its rows (not the balances table the report reads). */
function ledgerSums(h: PrepaidHarness) {
  const rows = h.store.db
    .prepare("SELECT account, SUM(delta) AS fen FROM ledger WHERE asset = 'fen' GROUP BY account")
    .all() as { account: string; fen: number }[];
  const sum = (re: RegExp) => rows.filter((r) => re.test(r.account)).reduce((s, r) => s + r.fen, 0);
  return {
    wallets: sum(/^wallet:/),
    held: sum(/^held:/),
    refunds: sum(/^refund:/),
    issued: -sum(/^(issuer|escrow):/),
    merchant: (id: string) => sum(new RegExp(`^merchant:${id}$`)),
    all: sum(/./),
  };
}

/** The outstanding-liability report equals the ledger, whatever happened: grants, sales, reversals, refunds. */
describe('liability report reconciled with the ledger', () => {
  let h: PrepaidHarness;
  const captured: string[] = [];
  let n = 0;
  beforeAll(async () => {
    h = prepaidHarness();
    await h.push('catalog', {
      merchants: MERCHANTS.map((id) => ({ id, name: id })),
      members: MEMBERS.map((id, i) => ({ id, ...(i === 0 ? { cardType: 'registered' } : {}) })),
    });
  });
  afterAll(() => h.close());

  it('per issuer and merchant, the totals are the ledger’s balances (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(Op, { minLength: 1, maxLength: 12 }), async (ops) => {
        for (const o of ops) {
          n += 1;
          if (o.op === 'grant')
            // over a cap it is refused: the report must still agree
            await h.push('allowances', { grants: [{ grantId: `g-${n}`, memberId: o.m, amountFen: o.fen }] });
          else if (o.op === 'pay') {
            const r = await h.pay(o.m, o.shop, o.fen);
            if (r.state === 'captured') captured.push(r.redemptionId);
          } else if (o.op === 'reverse' && captured.length > 0) {
            const [id] = captured.splice(o.pick % captured.length, 1);
            if (id) await h.svc.reverse(id, 'staff:test');
          } else if (o.op === 'refund' && h.wallet(o.m) > 0) {
            const fen = o.part ? Math.ceil(h.wallet(o.m) / 2) : undefined;
            await h.prepaid.refunds.refund({
              memberId: o.m,
              idempotencyKey: `k-${n}`,
              amountFen: fen,
              requestedBy: 't',
            });
          }
        }
        const l = liabilityReport(h.store.reader, h.clock.now());
        const s = ledgerSums(h);
        expect(l.residents.walletsFen).toBe(s.wallets);
        expect(l.residents.heldFen).toBe(s.held);
        expect(l.refundsPendingFen).toBe(s.refunds);
        expect(l.totals.issuedFen).toBe(s.issued);
        for (const m of l.merchants) expect(m.owedFen, m.merchantId).toBe(s.merchant(m.merchantId));
        expect(l.merchants.reduce((t, m) => t + m.owedFen, 0)).toBe(MERCHANTS.reduce((t, m) => t + s.merchant(m), 0));
        expect(s.all).toBe(0);
        expect(l.totals).toMatchObject({ reconciled: true, otherFen: 0, outstandingFen: s.issued });
      }),
      { numRuns: 25, seed: 1301 },
    );
    expect(verifyLedger(h.store.db).ok).toBe(true);
    // the property ran through every kind of figure
    const l = h.prepaid.liability();
    expect(l.refundsPendingFen).toBeGreaterThan(0);
    expect(l.merchants.some((m) => m.owedFen > 0)).toBe(true);
    expect(h.events('prepaid.topup_refused').length).toBeGreaterThan(0);
  });
});
