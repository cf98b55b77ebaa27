import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REASONS } from '../../gateway/redemption/domain/reasons.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { campaign, member } from './fixtures.ts';
import { serviceHarness } from './service-harness.ts';

/** What a redemption's stored result holds on disk, and what every reader gets back from it. */
describe('a stored redemption result', () => {
  let h: ReturnType<typeof serviceHarness>;
  const stored = (txnId: string) =>
    h.store.db.prepare<[string], { result: string }>('SELECT result FROM redemptions WHERE txn_id = ?').get(txnId)
      ?.result ?? '';

  beforeEach(() => {
    h = serviceHarness();
    h.catalog.upsertCampaign(campaign('cafe-10', { effect: { type: 'amount_off', offFen: 1000 } }), 0);
    // two benefits this purchase cannot use: each a reason in the answer, in two languages
    h.catalog.upsertCampaign(
      campaign('gold-5', { effect: { type: 'percent_off', percent: 5 }, rules: { tiers: ['gold'] } }),
      0,
    );
    h.catalog.upsertCampaign(
      campaign('big-spender', { effect: { type: 'amount_off', thresholdFen: 100_000, offFen: 5000 } }),
      0,
    );
    h.catalog.upsertMember(member({ id: 'm-1' }), 0);
    h.store.db.transaction(() =>
      h.ledger.append([
        {
          at: 0,
          txnId: 't',
          redemptionId: '-',
          account: account.issuerFen,
          asset: 'fen',
          delta: -9000,
          reason: 'topup',
        },
        {
          at: 0,
          txnId: 't',
          redemptionId: '-',
          account: account.wallet('m-1'),
          asset: 'fen',
          delta: 9000,
          reason: 'topup',
        },
      ]),
    )();
  });
  afterEach(() => h.close());

  const redeem = (txnId: string) =>
    h.svc.redeem({
      txnId,
      memberId: 'm-1',
      trust: 'high',
      purchase: { merchantId: 'cafe-01', items: [], amountFen: 3000, at: h.clock.now() },
    });

  it("leaves out a reason's catalogue text on disk and gives it back to every reader", async () => {
    const first = await redeem('t-1');
    expect(first.notApplied.map((n) => n.code).sort()).toEqual(['THRESHOLD_NOT_MET', 'TIER_NOT_ELIGIBLE']);
    const onDisk = JSON.parse(stored('t-1')) as { notApplied: Record<string, unknown>[] };
    expect(onDisk.notApplied).toHaveLength(2);
    for (const n of onDisk.notApplied) expect(n).not.toHaveProperty('message');
    // codes and campaigns stay in the row, for the reports that count them in SQL
    expect(onDisk.notApplied.map((n) => n.code).sort()).toEqual(['THRESHOLD_NOT_MET', 'TIER_NOT_ELIGIBLE']);
    // a retry, a look-up by id and a listing all get the first answer, messages included
    expect(await redeem('t-1')).toEqual(first);
    expect(h.redemptions.get(first.redemptionId)?.result).toEqual(first);
    expect(h.redemptions.get(first.redemptionId)?.result.notApplied[0]?.message).toEqual(
      REASONS[first.notApplied[0]?.code as keyof typeof REASONS],
    );
  });

  it('keeps a message other than the catalogue text; reads results stored whole by earlier releases', async () => {
    const first = await redeem('t-2');
    const full = JSON.parse(JSON.stringify(first)) as typeof first;
    const own = { zh: '店员说明', en: "the cashier's own words" };
    const [a, b] = full.notApplied;
    if (!a || !b) throw new Error('expected two reasons');
    a.message = own;
    // as a release before this one wrote it: every message in the row
    h.store.db.prepare('UPDATE redemptions SET result = ? WHERE txn_id = ?').run(JSON.stringify(full), 't-2');
    expect(h.redemptions.get(first.redemptionId)?.result).toEqual(full);
    expect(h.redemptions.get(first.redemptionId)?.result.notApplied[1]?.message).toEqual(b.message);
    // written again (a reversal), the catalogue's text is left out and the cashier's words are kept
    await h.svc.reverse(first.redemptionId, 'staff');
    const onDisk = JSON.parse(stored('t-2')) as { notApplied: Record<string, unknown>[] };
    expect(onDisk.notApplied.find((n) => n.code === a.code)?.message).toEqual(own);
    expect(onDisk.notApplied.find((n) => n.code === b.code)).not.toHaveProperty('message');
    expect(h.redemptions.get(first.redemptionId)?.result.notApplied).toEqual(full.notApplied);
  });

  it('a reason code a later catalogue no longer has reads back with its code as its text', () => {
    h.store.db
      .prepare(
        `INSERT INTO redemptions (id, txn_id, fingerprint, device_id, merchant_id, member_id, state, created_at,
           payable_fen, saving_fen, points_cost, points_earned, result)
         VALUES ('r-old', 't-old', 'f', NULL, 'cafe-01', 'm-1', 'declined', 0, 0, 0, 0, 0, ?)`,
      )
      .run(
        JSON.stringify({
          redemptionId: 'r-old',
          txnId: 't-old',
          status: 'declined',
          state: 'declined',
          subtotalFen: 0,
          savingFen: 0,
          payableFen: 0,
          paidBy: 'none',
          pointsCost: 0,
          pointsEarned: 0,
          applied: [],
          notApplied: [{ campaignId: 'gone', code: 'RETIRED_REASON' }],
        }),
      );
    expect(h.redemptions.get('r-old')?.result.notApplied).toEqual([
      { campaignId: 'gone', code: 'RETIRED_REASON', message: { zh: 'RETIRED_REASON', en: 'RETIRED_REASON' } },
    ]);
  });
});
