import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { account } from '../../gateway/redemption/service/ports.ts';
import { campaign, member } from './fixtures.ts';
import { serviceHarness } from './service-harness.ts';

type Op =
  | { kind: 'redeem' | 'authorize'; member: number; amount: number; txn: number }
  | { kind: 'capture' | 'void'; txn: number }
  | { kind: 'reverse'; txn: number }
  | { kind: 'advance'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('redeem' as const, 'authorize' as const),
    member: fc.integer({ min: 0, max: 2 }),
    amount: fc.oneof(fc.integer({ min: 1, max: 6000 }), fc.integer({ min: 2000, max: 2499 })),
    txn: fc.integer({ min: 0, max: 15 }),
  }),
  fc.record({
    kind: fc.constantFrom('capture' as const, 'void' as const, 'reverse' as const),
    txn: fc.integer({ min: 0, max: 15 }),
  }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1000, max: 90_000 }) }),
);

/**
 * Random interleavings of concurrent purchases, retries (txn ids repeat), captures, voids, reversals
 * and hold expiries against three members sharing one family payer and single-use coupons. After every
 * batch: no balance is negative, the ledger verifies, and value is conserved.
 */
describe('redemption service: properties', () => {
  it(
    'never double-spends, never goes negative, never uses a benefit for nothing, ' +
      'retries change nothing, and the ledger always verifies',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(op, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
          async (batches) => {
            const h = serviceHarness();
            try {
              const coupon = campaign('c10', {
                effect: { type: 'amount_off', thresholdFen: 2000, offFen: 500 },
                usage: { type: 'single_use' },
                category: 'coupon',
              });
              h.catalog.upsertCampaign(coupon, 0);
              // m-b's tier discount comes first and can push a bill under the coupon's threshold
              h.catalog.upsertCampaign(
                campaign('gold-20', {
                  effect: { type: 'percent_off', percent: 20 },
                  rules: { tiers: ['gold'] },
                  category: 'tier',
                }),
                0,
              );
              h.catalog.upsertCampaign(
                campaign('b-gift', {
                  effect: { type: 'amount_off', thresholdFen: 1000, offFen: 300 },
                  rules: { tiers: ['gold'] },
                  category: 'gift',
                }),
                0,
              );
              const ids = ['m-a', 'm-b', 'm-c'];
              for (const id of ids) h.catalog.upsertMember(member({ id, tier: id === 'm-b' ? 'gold' : 'regular' }), 0);
              h.catalog.upsertProxy({
                memberId: 'm-c',
                payerId: 'm-a',
                perTxnFen: 3000,
                perDayFen: 5000,
                perMonthFen: 9000,
              });
              h.topUp('m-a', 8000);
              h.topUp('m-b', 3000);
              h.catalog.upsertInstance({
                id: 'cp-b',
                campaignId: 'c10',
                memberId: 'm-b',
                issuedAt: 0,
                usesLeft: 1,
                status: 'active',
              });
              h.store.db.transaction(() =>
                h.ledger.append([
                  {
                    at: 0,
                    txnId: 'l',
                    redemptionId: '-',
                    account: account.issuerUses,
                    asset: 'uses',
                    delta: -1,
                    reason: 'topup',
                  },
                  {
                    at: 0,
                    txnId: 'l',
                    redemptionId: '-',
                    account: account.uses('cp-b'),
                    asset: 'uses',
                    delta: 1,
                    reason: 'topup',
                  },
                ]),
              )();
              const first = new Map<number, string>();
              for (const batch of batches) {
                const results = await Promise.allSettled(
                  batch.map((o) => {
                    const txn = `t-${'txn' in o ? o.txn : 0}`;
                    if (o.kind === 'advance') {
                      h.clock.advance(o.ms);
                      return h.svc.expireHolds();
                    }
                    if (o.kind === 'redeem' || o.kind === 'authorize') {
                      const req = {
                        txnId: txn,
                        memberId: ids[o.member] ?? 'm-a',
                        trust: 'high' as const,
                        purchase: { merchantId: 'cafe-01', items: [], amountFen: o.amount, at: h.clock.now() },
                      };
                      return (o.kind === 'redeem' ? h.svc.redeem(req) : h.svc.authorize(req)).then((r) => {
                        // idempotency: the first answer for a txn is the answer forever (state may move on)
                        const prev = first.get(o.txn);
                        if (prev === undefined) first.set(o.txn, r.redemptionId);
                        else expect(r.redemptionId).toBe(prev);
                        return r;
                      });
                    }
                    if (o.kind === 'reverse') {
                      const rid = first.get(o.txn);
                      return rid ? h.svc.reverse(rid, `staff:${o.txn}`) : Promise.resolve(undefined);
                    }
                    return o.kind === 'capture' ? h.svc.capture(txn, undefined) : h.svc.void(txn, undefined);
                  }),
                );
                for (const r of results) {
                  if (r.status === 'rejected')
                    expect(['TXN_REUSED', 'REDEMPTION_STATE', 'REDEMPTION_NOT_FOUND']).toContain(
                      (r.reason as { code?: string }).code,
                    );
                }
                for (const id of ids) expect(h.ledger.balance(account.wallet(id), 'fen')).toBeGreaterThanOrEqual(0);
                expect(h.ledger.balance(account.uses('cp-b'), 'uses')).toBeGreaterThanOrEqual(0);
                expect(h.verify().problems).toEqual([]);
                // conservation: what left the issuer is in wallets, on hold or with the merchant
                const held = (
                  h.store.db
                    .prepare("SELECT COALESCE(SUM(balance), 0) AS s FROM balances WHERE account LIKE 'held:%'")
                    .get() as { s: number }
                ).s;
                const inWallets = ids.reduce((s, id) => s + h.ledger.balance(account.wallet(id), 'fen'), 0);
                expect(inWallets + held + h.ledger.balance(account.merchant('cafe-01'), 'fen')).toBe(11000);
                // the coupon is used by at most one standing redemption
                const standing = h.store.db
                  .prepare(
                    'SELECT COUNT(*) AS n FROM redemption_benefits b JOIN redemptions r ON r.id = b.redemption_id ' +
                      "WHERE b.instance_id = 'cp-b' AND r.state IN ('held', 'captured')",
                  )
                  .get() as { n: number };
                expect(standing.n).toBeLessThanOrEqual(1);
                expect(standing.n + h.ledger.balance(account.uses('cp-b'), 'uses')).toBe(1);
                // a use is consumed only by a benefit that gave value on that purchase
                const empty = h.store.db
                  .prepare('SELECT COUNT(*) AS n FROM redemption_benefits WHERE saving_fen <= 0')
                  .get() as { n: number };
                expect(empty.n).toBe(0);
              }
            } finally {
              h.close();
            }
          },
        ),
        { numRuns: 60, seed: 424 },
      );
    },
  );
});
