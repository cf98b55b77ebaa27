import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { account } from '../../gateway/redemption/service/ports.ts';
import { campaign, member } from './fixtures.ts';
import { serviceHarness } from './service-harness.ts';

const CAFE_COUPON = campaign('cafe-mj-50-10', {
  effect: { type: 'amount_off', thresholdFen: 5000, offFen: 1000 },
  usage: { type: 'single_use' },
  category: 'coupon',
});
const GOLD = campaign('gold-5', {
  effect: { type: 'percent_off', percent: 5 },
  category: 'tier',
  rules: { tiers: ['gold'] },
});
const WEEKLY = campaign('weekly', {
  effect: { type: 'amount_off', offFen: 500 },
  usage: { type: 'period_card', usesPerPeriod: 2, period: 'week' },
  category: 'card',
  rules: { budget: { count: 1000 } },
});

describe('RedemptionService', () => {
  let h: ReturnType<typeof serviceHarness>;
  const bill = (amountFen: number, extra = {}) => ({
    merchantId: 'cafe-01',
    items: [],
    amountFen,
    at: h.clock.now(),
    ...extra,
  });
  const wallet = (id = 'm-1') => h.ledger.balance(account.wallet(id), 'fen');
  const points = (id = 'm-1') => h.ledger.balance(account.points(id), 'points');

  beforeEach(() => {
    h = serviceHarness();
    for (const c of [CAFE_COUPON, GOLD, WEEKLY]) h.catalog.upsertCampaign(c, 0);
    h.catalog.upsertMember(member({ id: 'm-1', tier: 'gold' }), 0);
    h.catalog.upsertInstance({
      id: 'i-coupon',
      campaignId: CAFE_COUPON.id,
      memberId: 'm-1',
      issuedAt: 0,
      usesLeft: 1,
      status: 'active',
    });
    h.ledger.append([
      {
        at: 0,
        txnId: 'load',
        redemptionId: '-',
        account: account.issuerUses,
        asset: 'uses',
        delta: -1,
        reason: 'topup',
      },
      {
        at: 0,
        txnId: 'load',
        redemptionId: '-',
        account: account.uses('i-coupon'),
        asset: 'uses',
        delta: 1,
        reason: 'topup',
      },
    ]);
    h.topUp('m-1', 10_000, 100);
  });
  afterEach(() => h.close());

  it('a scanner redemption applies the best benefits, charges once, and a retry returns the same result', async () => {
    const req = { txnId: 'scan-1', memberId: 'm-1', trust: 'high' as const, purchase: bill(6000) };
    const r = await h.svc.redeem(req);
    // 5% gold first (300), then 满50减10 on 5700 (1000)
    expect(r).toMatchObject({
      status: 'approved',
      state: 'captured',
      subtotalFen: 6000,
      savingFen: 1300,
      payableFen: 4700,
      paidBy: 'own',
      pointsEarned: 94,
    });
    expect(r.applied.map((a) => a.campaignId)).toEqual(['gold-5', 'cafe-mj-50-10']);
    expect(wallet()).toBe(10_000 - 4700);
    expect(h.ledger.balance(account.merchant('cafe-01'), 'fen')).toBe(4700);
    expect(h.ledger.balance(account.uses('i-coupon'), 'uses')).toBe(0);
    expect(points()).toBe(100 + 94);
    h.clock.advance(3000); // a device retry arrives later
    expect(await h.svc.redeem({ ...req, purchase: bill(6000) })).toEqual(r);
    expect(wallet()).toBe(10_000 - 4700);
    expect(h.verify().problems).toEqual([]);
    await expect(h.svc.redeem({ ...req, purchase: bill(7000) })).rejects.toMatchObject({ code: 'TXN_REUSED' });
  });

  it('authorize holds, capture pays the merchant and accrues points; void refunds exactly', async () => {
    const a = await h.svc.authorize({ txnId: 'vend-1', memberId: 'm-1', trust: 'high', purchase: bill(2000) });
    expect(a).toMatchObject({ status: 'approved', state: 'held', payableFen: 1900 });
    expect(wallet()).toBe(8100);
    expect(h.ledger.balance(account.held(a.redemptionId), 'fen')).toBe(1900);
    const c = await h.svc.capture('vend-1', undefined);
    expect(c.state).toBe('captured');
    expect(await h.svc.capture('vend-1', undefined)).toEqual(c);
    expect(h.ledger.balance(account.merchant('cafe-01'), 'fen')).toBe(1900);
    expect(points()).toBe(100 + 38);
    await expect(h.svc.void('vend-1', undefined)).rejects.toMatchObject({
      code: 'REDEMPTION_STATE',
      details: { refusal: 'ALREADY_CAPTURED' },
    });

    const b = await h.svc.authorize({ txnId: 'vend-2', memberId: 'm-1', trust: 'high', purchase: bill(6000) });
    expect(b.applied.map((x) => x.campaignId)).toContain('cafe-mj-50-10');
    const before = { wallet: wallet(), points: points() };
    const v = await h.svc.void('vend-2', undefined);
    expect(v.state).toBe('voided');
    expect(wallet()).toBe(before.wallet + b.payableFen);
    expect(h.ledger.balance(account.uses('i-coupon'), 'uses')).toBe(1);
    expect(h.catalog.instancesOf('m-1')[0]).toMatchObject({ usesLeft: 1, status: 'active' });
    await expect(h.svc.capture('vend-2', undefined)).rejects.toMatchObject({ details: { refusal: 'ALREADY_VOIDED' } });
    expect(h.verify().problems).toEqual([]);
  });

  it('holds that time out are voided and refunded', async () => {
    await h.svc.authorize({ txnId: 'vend-3', memberId: 'm-1', trust: 'high', purchase: bill(1000) });
    expect(wallet()).toBe(9050);
    h.clock.advance(59_000);
    expect(await h.svc.expireHolds()).toBe(0);
    h.clock.advance(1_000);
    expect(await h.svc.expireHolds()).toBe(1);
    expect(wallet()).toBe(10_000);
    await expect(h.svc.capture('vend-3', undefined)).rejects.toMatchObject({ details: { refusal: 'ALREADY_VOIDED' } });
  });

  it('never double-spends: concurrent purchases against one wallet and one coupon', async () => {
    const reqs = Array.from({ length: 10 }, (_, i) =>
      h.svc.redeem({ txnId: `c-${i}`, memberId: 'm-1', trust: 'high', purchase: bill(6000) }),
    );
    const results = await Promise.all(reqs);
    const approved = results.filter((r) => r.status === 'approved');
    expect(results.filter((r) => r.applied.some((a) => a.campaignId === 'cafe-mj-50-10'))).toHaveLength(1);
    expect(approved.reduce((s, r) => s + r.payableFen, 0)).toBeLessThanOrEqual(10_000);
    expect(wallet()).toBe(10_000 - approved.reduce((s, r) => s + r.payableFen, 0));
    expect(results.filter((r) => r.status === 'declined').every((r) => r.declineCode === 'INSUFFICIENT_FUNDS')).toBe(
      true,
    );
    expect(wallet()).toBeGreaterThanOrEqual(0);
  });

  it('reversal within the window restores wallet, points, uses and counters, all or nothing', async () => {
    const r = await h.svc.redeem({ txnId: 'scan-9', memberId: 'm-1', trust: 'high', purchase: bill(6000) });
    const rev = await h.svc.reverse(r.redemptionId, 'staff:test');
    expect(rev.state).toBe('reversed');
    expect(wallet()).toBe(10_000);
    expect(points()).toBe(100);
    expect(h.ledger.balance(account.uses('i-coupon'), 'uses')).toBe(1);
    expect(await h.svc.reverse(r.redemptionId, 'staff:test')).toEqual(rev);
    const late = await h.svc.redeem({ txnId: 'scan-10', memberId: 'm-1', trust: 'high', purchase: bill(1000) });
    h.clock.advance(24 * 3600_000 + 1);
    await expect(h.svc.reverse(late.redemptionId, 'staff:test')).rejects.toMatchObject({
      details: { refusal: 'REVERSAL_WINDOW_CLOSED' },
    });
    expect(h.verify().problems).toEqual([]);
  });

  it('a reversal whose earned points were spent is refused and changes nothing', async () => {
    const r = await h.svc.redeem({ txnId: 'scan-p', memberId: 'm-1', trust: 'high', purchase: bill(9000) });
    // spend all points
    h.ledger.append([
      {
        at: 0,
        txnId: 'x',
        redemptionId: '-',
        account: account.points('m-1'),
        asset: 'points',
        delta: -points(),
        reason: 'exchange',
      },
      {
        at: 0,
        txnId: 'x',
        redemptionId: '-',
        account: account.pointsSpent('fresh-01'),
        asset: 'points',
        delta: 100 + r.pointsEarned,
        reason: 'exchange',
      },
    ]);
    const w = wallet();
    await expect(h.svc.reverse(r.redemptionId, 'staff:test')).rejects.toMatchObject({
      details: { refusal: 'POINTS_ALREADY_SPENT' },
    });
    expect(wallet()).toBe(w);
    expect(h.redemptions.get(r.redemptionId)?.state).toBe('captured');
  });

  it('family proxy pays within the payer’s limits', async () => {
    h.catalog.upsertMember(member({ id: 'm-grandma' }), 0);
    h.catalog.upsertProxy({
      memberId: 'm-grandma',
      payerId: 'm-1',
      perTxnFen: 3000,
      perDayFen: 4000,
      perMonthFen: 20000,
    });
    const a = await h.svc.redeem({ txnId: 'g-1', memberId: 'm-grandma', trust: 'high', purchase: bill(2500) });
    expect(a).toMatchObject({ status: 'approved', paidBy: 'proxy', payableFen: 2500 });
    expect(wallet('m-1')).toBe(7500);
    const b = await h.svc.redeem({ txnId: 'g-2', memberId: 'm-grandma', trust: 'high', purchase: bill(2000) });
    expect(b).toMatchObject({ status: 'declined', declineCode: 'INSUFFICIENT_FUNDS' });
    await h.svc.reverse(a.redemptionId, 'staff:test');
    expect(
      (await h.svc.redeem({ txnId: 'g-3', memberId: 'm-grandma', trust: 'high', purchase: bill(2000) })).status,
    ).toBe('approved');
  });

  it('a clonable UID card is capped per purchase and per day', async () => {
    expect(
      (await h.svc.redeem({ txnId: 'u-1', memberId: 'm-1', trust: 'low', purchase: bill(2200) })).declineCode,
    ).toBe('LOW_TRUST_LIMIT');
    for (let i = 0; i < 2; i++)
      expect(
        (
          await h.svc.redeem({
            txnId: `u-ok-${i}`,
            memberId: 'm-1',
            trust: 'low',
            purchase: bill(2100, { merchantId: 'fresh-01' }),
          })
        ).status,
      ).toBe('approved');
    // 2 × 1995 paid today (gold 5% off); 1140 more would pass the 5000 daily cap
    expect(
      (
        await h.svc.redeem({
          txnId: 'u-3',
          memberId: 'm-1',
          trust: 'low',
          purchase: bill(1200, { merchantId: 'fresh-01' }),
        })
      ).declineCode,
    ).toBe('LOW_TRUST_LIMIT');
    expect(
      (
        await h.svc.redeem({
          txnId: 'u-4',
          memberId: 'm-1',
          trust: 'high',
          purchase: bill(1200, { merchantId: 'fresh-01' }),
        })
      ).status,
    ).toBe('approved');
  });

  it('a weekly card counts its uses per week, and a void gives the use back', async () => {
    h.catalog.upsertInstance({ id: 'i-week', campaignId: WEEKLY.id, memberId: 'm-1', issuedAt: 0, status: 'active' });
    const use = (txnId: string) =>
      h.svc.authorize({ txnId, memberId: 'm-1', trust: 'high', purchase: bill(1000, { merchantId: 'fresh-01' }) });
    const has = (r: { applied: { campaignId: string }[] }) => r.applied.some((a) => a.campaignId === 'weekly');
    expect(has(await use('w-1'))).toBe(true);
    expect(has(await use('w-2'))).toBe(true);
    const third = await use('w-3');
    expect(has(third)).toBe(false);
    expect(third.notApplied.find((n) => n.campaignId === 'weekly')?.code).toBe('PERIOD_USES_EXHAUSTED');
    await h.svc.void('w-2', undefined);
    expect(has(await use('w-4'))).toBe(true);
    expect(h.usage.get('b|weekly').count).toBe(2);
    h.clock.advance(7 * 86_400_000);
    expect(has(await use('w-5'))).toBe(true);
  });

  it('a birthday gift is used once in its month; a reversal gives it back (its last use, from history)', async () => {
    const GIFT = campaign('bday', {
      effect: { type: 'amount_off', offFen: 800 },
      usage: { type: 'birthday_gift' },
      category: 'gift',
    });
    h.catalog.upsertCampaign(GIFT, 0);
    h.catalog.upsertMember(member({ id: 'm-1', tier: 'gold', birthdayMonth: 11 }), 0);
    const pay = (txnId: string) => h.svc.redeem({ txnId, memberId: 'm-1', trust: 'high', purchase: bill(2000) });
    const has = (r: { applied: { campaignId: string }[] }) => r.applied.some((a) => a.campaignId === 'bday');
    const first = await pay('bd-1');
    expect(has(first)).toBe(true);
    const second = await pay('bd-2');
    expect(has(second)).toBe(false);
    expect(second.notApplied.find((n) => n.campaignId === 'bday')?.code).toBe('BIRTHDAY_GIFT_USED');
    await h.svc.reverse(first.redemptionId, 'staff:test');
    expect(has(await pay('bd-3'))).toBe(true);
  });

  it("reads a member's last use of a gift only when it can matter: the birthday month, a long absence", async () => {
    h.catalog.upsertCampaign(
      campaign('bday', { effect: { type: 'amount_off', offFen: 800 }, usage: { type: 'birthday_gift' } }),
      0,
    );
    h.catalog.upsertCampaign(
      campaign('back', {
        effect: { type: 'amount_off', offFen: 500 },
        usage: { type: 'welcome_back', inactiveDays: 30 },
      }),
      0,
    );
    const asked: string[][] = [];
    const lastUses = h.usage.lastUses.bind(h.usage);
    vi.spyOn(h.usage, 'lastUses').mockImplementation((memberId, ids) => {
      asked.push([...ids]);
      return lastUses(memberId, ids);
    });
    const pay = async (txnId: string, m: Parameters<typeof member>[0]) => {
      h.catalog.upsertMember(member({ id: 'm-1', tier: 'gold', ...m }), 0);
      asked.length = 0;
      const r = await h.svc.redeem({ txnId, memberId: 'm-1', trust: 'high', purchase: bill(2000) });
      return { asked: asked.flat(), codes: Object.fromEntries(r.notApplied.map((n) => [n.campaignId, n.code])) };
    };
    // 18 November 2026: a March birthday, active yesterday: neither gift can apply, no history is read
    const ordinary = await pay('lu-1', { birthdayMonth: 3, lastActiveDate: '2026-11-17' });
    expect(ordinary.asked).toEqual([]);
    expect(ordinary.codes).toMatchObject({ bday: 'NOT_BIRTHDAY_MONTH', back: 'NOT_INACTIVE_LONG_ENOUGH' });
    // in the birthday month and back after two months away: both are read (and both gifts apply)
    expect((await pay('lu-2', { birthdayMonth: 11, lastActiveDate: '2026-09-01' })).asked.sort()).toEqual([
      'back',
      'bday',
    ]);
  });

  it('unknown member and unknown transaction are clear errors', async () => {
    await expect(
      h.svc.redeem({ txnId: 'x', memberId: 'ghost', trust: 'high', purchase: bill(100) }),
    ).rejects.toMatchObject({ code: 'MEMBER_NOT_FOUND' });
    await expect(h.svc.capture('nope', undefined)).rejects.toMatchObject({ code: 'REDEMPTION_NOT_FOUND' });
  });

  it('a cross-merchant bundle grants its partner benefit on capture and takes it back on reversal', async () => {
    const pharmacy = campaign('pharmacy-10', {
      effect: { type: 'percent_off', percent: 10 },
      usage: { type: 'single_use' },
      category: 'bundle',
      rules: { merchants: ['pharmacy-01'] },
    });
    const bundle = campaign('kids-park', {
      effect: { type: 'amount_off', offFen: 200 },
      usage: { type: 'always_on' },
      category: 'bundle',
      rules: { merchants: ['fresh-01'] },
      grants: ['pharmacy-10'],
    });
    h.catalog.upsertCampaign(pharmacy, 0);
    h.catalog.upsertCampaign(bundle, 0);
    const auth = await h.svc.authorize({
      txnId: 'bundle-1',
      memberId: 'm-1',
      trust: 'high',
      purchase: bill(3000, { merchantId: 'fresh-01' }),
    });
    expect(auth.applied.map((a) => a.campaignId)).toContain('kids-park');
    expect(h.catalog.instancesOf('m-1').some((i) => i.campaignId === 'pharmacy-10')).toBe(false); // not before capture
    const cap = await h.svc.capture('bundle-1', undefined);
    const granted = h.catalog.instancesOf('m-1').find((i) => i.campaignId === 'pharmacy-10');
    expect(granted).toMatchObject({ status: 'active', usesLeft: 1 });
    expect(h.ledger.balance(account.uses(granted?.id ?? ''), 'uses')).toBe(1);
    const used = await h.svc.redeem({
      txnId: 'pharm-1',
      memberId: 'm-1',
      trust: 'high',
      purchase: bill(2000, { merchantId: 'pharmacy-01' }),
    });
    expect(used.applied.map((a) => a.campaignId)).toContain('pharmacy-10');
    await expect(h.svc.reverse(cap.redemptionId, 'staff:test')).rejects.toMatchObject({
      details: { refusal: 'BUNDLE_BENEFIT_USED' },
    });
    await h.svc.reverse(used.redemptionId, 'staff:test');
    expect((await h.svc.reverse(cap.redemptionId, 'staff:test')).state).toBe('reversed');
    expect(h.catalog.instancesOf('m-1').find((i) => i.campaignId === 'pharmacy-10')?.status).toBe('revoked');
    expect(h.verify().problems).toEqual([]);
  });

  it(
    'while one device waits on the cloud, another device using the same txn is decided on its own; ' +
      'a retry gets the first answer',
    async () => {
      h.catalog.upsertMember(member({ id: 'm-2' }), 0);
      h.topUp('m-2', 100_000);
      let release: (granted: boolean) => void = () => undefined;
      h.svc.setOnlineTopUp(() => new Promise((r) => (release = r)));
      const short = {
        txnId: 'T-0042',
        memberId: 'm-1',
        trust: 'high' as const,
        purchase: bill(50_000, { deviceId: 'scanner-01' }),
      };
      const waiting = h.svc.redeem(short); // m-1 has 100 yuan: the gateway asks the cloud for more (registered at once)
      const other = await h.svc.redeem({
        txnId: 'T-0042',
        memberId: 'm-2',
        trust: 'high',
        purchase: bill(3000, { deviceId: 'scanner-07', merchantId: 'grocery-02' }),
      });
      expect(other).toMatchObject({ status: 'approved', payableFen: 3000 });
      expect(h.ledger.balance(account.wallet('m-2'), 'fen')).toBe(97_000);
      const retry = h.svc.redeem(short); // scanner-01 resends while the cloud is still being asked
      release(false);
      const first = await waiting;
      expect(first).toMatchObject({ status: 'declined', declineCode: 'INSUFFICIENT_FUNDS' });
      expect(await retry).toEqual(first);
      expect(first.redemptionId).not.toBe(other.redemptionId);
      expect(h.verify().problems).toEqual([]);
    },
  );

  it('community-activity points are credited once per transaction id', async () => {
    expect(await h.svc.awardPoints('m-1', 20, 'checkin-ev1-m-1', 'activity')).toEqual({ awarded: true, points: 120 });
    expect(await h.svc.awardPoints('m-1', 20, 'checkin-ev1-m-1', 'activity')).toEqual({ awarded: false, points: 120 });
    await expect(h.svc.awardPoints('ghost', 5, 'x', 'activity')).rejects.toMatchObject({ code: 'MEMBER_NOT_FOUND' });
    await expect(h.svc.awardPoints('m-1', 0, 'y', 'activity')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(h.verify().problems).toEqual([]);
  });
});
