import { describe, expect, it } from 'vitest';
import { localTime } from '../../gateway/redemption/domain/local-time.ts';
import { selectBenefits } from '../../gateway/redemption/domain/select.ts';
import type { UsageFacts } from '../../gateway/redemption/domain/usage-facts.ts';
import { bill, campaign, input, instance, items, member, WED_0830, WED_1400 } from './fixtures.ts';

const code = (sel: ReturnType<typeof selectBenefits>, campaignId: string) =>
  sel.notApplied.find((r) => r.campaignId === campaignId)?.code;

describe('benefit effects', () => {
  const table: { name: string; effect: unknown; purchase: ReturnType<typeof bill>; rules?: unknown; saving: number }[] =
    [
      {
        name: '满50减10 at 50',
        effect: { type: 'amount_off', thresholdFen: 5000, offFen: 1000 },
        purchase: bill(5000),
        saving: 1000,
      },
      {
        name: '满50减10 below the threshold',
        effect: { type: 'amount_off', thresholdFen: 5000, offFen: 1000 },
        purchase: bill(4999),
        saving: 0,
      },
      {
        name: 'amount off never exceeds the bill',
        effect: { type: 'amount_off', offFen: 1000 },
        purchase: bill(300),
        saving: 300,
      },
      {
        name: '8折 = 20% off, rounded down',
        effect: { type: 'percent_off', percent: 20 },
        purchase: bill(1999),
        saving: 399,
      },
      {
        name: 'percent off with a cap',
        effect: { type: 'percent_off', percent: 20, capFen: 500 },
        purchase: bill(10000),
        saving: 500,
      },
      {
        name: '第二件半价: 2 units',
        effect: { type: 'nth_item', n: 2, percent: 50 },
        purchase: items([['milk', 450, 2]]),
        saving: 225,
      },
      {
        name: '第二件半价: 3 units → one discounted',
        effect: { type: 'nth_item', n: 2, percent: 50 },
        purchase: items([['milk', 450, 3]]),
        saving: 225,
      },
      {
        name: '第二件半价 counts per product',
        effect: { type: 'nth_item', n: 2, percent: 50 },
        purchase: items([
          ['milk', 450, 1],
          ['tofu', 300, 1],
        ]),
        saving: 0,
      },
      {
        name: 'fixed price package on the dearest unit',
        effect: { type: 'fixed_price', priceFen: 990 },
        purchase: items([
          ['set-a', 1500, 1],
          ['set-b', 1200, 1],
        ]),
        rules: { products: ['set-a', 'set-b'] },
        saving: 510,
      },
      {
        name: 'free item',
        effect: { type: 'free_item' },
        purchase: items([['eggs-6', 1200, 2]]),
        rules: { products: ['eggs-6'] },
        saving: 1200,
      },
      {
        name: 'percent off scoped to products',
        effect: { type: 'percent_off', percent: 10 },
        purchase: items([
          ['apple', 1000, 1],
          ['cola', 350, 2],
        ]),
        rules: { products: ['apple'] },
        saving: 100,
      },
    ];
  for (const row of table) {
    it(row.name, () => {
      const c = campaign('c1', { effect: row.effect, rules: row.rules ?? {} });
      const sel = selectBenefits(input([c], row.purchase));
      expect(sel.savingFen).toBe(row.saving);
      expect(sel.payableFen).toBe(sel.subtotalFen - row.saving);
      if (row.saving === 0) expect(sel.applied).toEqual([]);
    });
  }
});

describe('rules, each with its reason', () => {
  const off = { type: 'amount_off', offFen: 100 };
  const rows: {
    name: string;
    rules?: unknown;
    usage?: unknown;
    purchase?: ReturnType<typeof bill>;
    m?: Parameters<typeof member>[0];
    code: string | undefined;
    usageFacts?: Partial<UsageFacts>;
    inst?: Record<string, unknown>;
  }[] = [
    { name: 'validity window: not started', rules: { validFrom: WED_1400 + 1 }, code: 'NOT_YET_VALID' },
    { name: 'validity window: ended', rules: { validTo: WED_1400 }, code: 'CAMPAIGN_ENDED' },
    { name: 'member day Wednesday', rules: { daysOfWeek: [3] }, code: undefined },
    { name: 'not on Thursday', rules: { daysOfWeek: [4] }, code: 'WRONG_DAY' },
    { name: 'breakfast hours, at 14:00', rules: { hours: [{ from: '06:30', to: '10:00' }] }, code: 'OUTSIDE_HOURS' },
    {
      name: 'breakfast hours, at 08:30',
      rules: { hours: [{ from: '06:30', to: '10:00' }] },
      purchase: bill(2000, { at: WED_0830 }),
      code: undefined,
    },
    { name: 'night window wraps midnight', rules: { hours: [{ from: '22:00', to: '02:00' }] }, code: 'OUTSIDE_HOURS' },
    { name: 'other merchant', rules: { merchants: ['pharmacy-01'] }, code: 'MERCHANT_NOT_IN_SCOPE' },
    {
      name: 'device scope',
      rules: { devices: ['vm-02'] },
      purchase: bill(2000, { deviceId: 'vm-01' }),
      code: 'DEVICE_NOT_IN_SCOPE',
    },
    {
      name: 'device kind scope',
      rules: { deviceKinds: ['vending_machine'] },
      purchase: bill(2000, { deviceKind: 'shop_scanner' }),
      code: 'DEVICE_KIND_NOT_IN_SCOPE',
    },
    { name: 'product scope on a bill-only purchase', rules: { products: ['milk'] }, code: 'NO_ELIGIBLE_PRODUCT' },
    { name: 'minimum spend', rules: { minSpendFen: 3000 }, code: 'MIN_SPEND_NOT_MET' },
    { name: 'gold only', rules: { tiers: ['gold'] }, code: 'TIER_NOT_ELIGIBLE' },
    { name: 'gold member', rules: { tiers: ['gold'] }, m: { tier: 'gold' }, code: undefined },
    { name: 'segment', rules: { segments: ['seniors'] }, code: 'SEGMENT_NOT_ELIGIBLE' },
    {
      name: 'per-member daily limit',
      rules: { perMemberLimit: { count: 1, period: 'day' } },
      usageFacts: { memberUses: { 'c1|2026-11-18': 1 } },
      code: 'MEMBER_LIMIT_REACHED',
    },
    {
      name: 'per-member weekly limit, other week',
      rules: { perMemberLimit: { count: 1, period: 'week' } },
      usageFacts: { memberUses: { 'c1|2026-W46': 1 } },
      code: undefined,
    },
    {
      name: 'count budget',
      rules: { budget: { count: 100 } },
      usageFacts: { budgets: { c1: { count: 100, amountFen: 0 } } },
      code: 'BUDGET_EXHAUSTED',
    },
    {
      name: 'birthday gift outside the month',
      usage: { type: 'birthday_gift' },
      m: { birthdayMonth: 5 },
      code: 'NOT_BIRTHDAY_MONTH',
    },
    { name: 'birthday gift in the month', usage: { type: 'birthday_gift' }, m: { birthdayMonth: 11 }, code: undefined },
    {
      name: 'birthday gift already used',
      usage: { type: 'birthday_gift' },
      m: { birthdayMonth: 11 },
      usageFacts: { lastUseAt: { c1: WED_1400 - 86_400_000 } },
      code: 'BIRTHDAY_GIFT_USED',
    },
    {
      name: 'welcome back: recently active',
      usage: { type: 'welcome_back', inactiveDays: 30 },
      m: { lastActiveDate: '2026-11-01' },
      code: 'NOT_INACTIVE_LONG_ENOUGH',
    },
    {
      name: 'welcome back: inactive 60 days',
      usage: { type: 'welcome_back', inactiveDays: 30 },
      m: { lastActiveDate: '2026-09-19' },
      code: undefined,
    },
    {
      name: 'points exchange without points',
      usage: { type: 'points_exchange', pointsCost: 500 },
      usageFacts: { pointsBalance: 499 },
      code: 'NOT_ENOUGH_POINTS',
    },
    { name: 'used coupon', usage: { type: 'single_use' }, inst: { status: 'used' }, code: 'INSTANCE_USED' },
    { name: 'expired coupon', usage: { type: 'single_use' }, inst: { expiresAt: WED_1400 }, code: 'INSTANCE_EXPIRED' },
    {
      name: 'punch card used up',
      usage: { type: 'punch_card', uses: 10 },
      inst: { usesLeft: 0 },
      code: 'NO_USES_LEFT',
    },
    {
      name: 'weekly card: this week used up',
      usage: { type: 'period_card', usesPerPeriod: 2, period: 'week' },
      inst: {},
      usageFacts: { instanceUses: { 'i1|2026-W47': 2 } },
      code: 'PERIOD_USES_EXHAUSTED',
    },
    {
      name: 'weekly card: a use left',
      usage: { type: 'period_card', usesPerPeriod: 2, period: 'week' },
      inst: {},
      usageFacts: { instanceUses: { 'i1|2026-W47': 1 } },
      code: undefined,
    },
  ];
  for (const r of rows) {
    it(`${r.name} → ${r.code ?? 'applies'}`, () => {
      const c = campaign('c1', { effect: off, rules: r.rules ?? {}, ...(r.usage ? { usage: r.usage } : {}) });
      const sel = selectBenefits(
        input([c], r.purchase ?? bill(2000), {
          member: member(r.m ?? {}),
          instances: r.inst ? [instance('i1', 'c1', r.inst)] : [],
          usage: r.usageFacts ?? {},
        }),
      );
      if (r.code === undefined) expect(sel.applied.map((a) => a.campaignId)).toEqual(['c1']);
      else {
        expect(sel.applied).toEqual([]);
        expect(code(sel, 'c1')).toBe(r.code);
        const msg = sel.notApplied[0]?.message;
        expect(msg?.zh.length).toBeGreaterThan(0);
        expect(msg?.en.length).toBeGreaterThan(0);
      }
    });
  }

  it('a coupon the member does not hold is not a candidate at all', () => {
    const c = campaign('c1', { effect: off, usage: { type: 'single_use' } });
    const sel = selectBenefits(input([c], bill(2000)));
    expect(sel.applied).toEqual([]);
    expect(sel.notApplied).toEqual([]);
  });

  it('local time: weekday, minutes, ISO week in Shanghai', () => {
    expect(localTime(WED_0830, 'Asia/Shanghai')).toEqual({
      date: '2026-11-18',
      year: 2026,
      month: 11,
      weekday: 3,
      minuteOfDay: 510,
      isoWeek: '2026-W47',
    });
    expect(localTime(Date.UTC(2026, 11, 31, 20, 0), 'Asia/Shanghai').isoWeek).toBe('2026-W53');
  });
});

describe('best-benefit selection and stacking', () => {
  const pct20 = campaign('member-day', { effect: { type: 'percent_off', percent: 20 }, category: 'member-day' });
  const off10 = campaign('mj-50-10', {
    effect: { type: 'amount_off', thresholdFen: 5000, offFen: 1000 },
    usage: { type: 'single_use' },
    category: 'coupon',
  });
  const off15 = campaign('mj-80-15', {
    effect: { type: 'amount_off', thresholdFen: 8000, offFen: 1500 },
    usage: { type: 'single_use' },
    category: 'coupon',
  });
  const gold5 = campaign('gold-5', {
    effect: { type: 'percent_off', percent: 5 },
    category: 'tier',
    rules: { tiers: ['gold'] },
  });

  it('stacks across categories in the fixed order: percent first, then amount off', () => {
    const sel = selectBenefits(input([pct20, off10], bill(10000), { instances: [instance('i-10', 'mj-50-10')] }));
    expect(sel.applied.map((a) => [a.campaignId, a.savingFen])).toEqual([
      ['member-day', 2000],
      ['mj-50-10', 1000],
    ]);
    expect(sel.payableFen).toBe(7000);
  });

  it('one coupon per category: the bigger one wins and the other says why', () => {
    const sel = selectBenefits(
      input([off10, off15], bill(10000), { instances: [instance('i-10', 'mj-50-10'), instance('i-15', 'mj-80-15')] }),
    );
    expect(sel.applied.map((a) => a.campaignId)).toEqual(['mj-80-15']);
    expect(code(sel, 'mj-50-10')).toBe('CATEGORY_CONFLICT');
  });

  it('a threshold that a percent discount pushes below is not met in combination; the best set is chosen', () => {
    // 8000: 20% → 6400, then 满80减15 no longer applies; 20% (1600) beats 1500, and with 满50减10 both: 1600 + 1000
    const sel = selectBenefits(
      input([pct20, off10, off15], bill(8000), {
        instances: [instance('i-10', 'mj-50-10'), instance('i-15', 'mj-80-15')],
      }),
    );
    expect(sel.savingFen).toBe(2600);
    expect(sel.applied.map((a) => a.campaignId).sort()).toEqual(['member-day', 'mj-50-10']);
  });

  it('an exclusive benefit stands alone, and is chosen only when it beats every combination', () => {
    const big = campaign('flash-40', {
      effect: { type: 'percent_off', percent: 40 },
      category: 'flash',
      exclusive: true,
    });
    const sel = selectBenefits(input([big, pct20, off10], bill(10000), { instances: [instance('i-10', 'mj-50-10')] }));
    expect(sel.applied.map((a) => a.campaignId)).toEqual(['flash-40']);
    expect(code(sel, 'member-day')).toBe('EXCLUSIVE_CONFLICT');
    const small = campaign('flash-5', {
      effect: { type: 'percent_off', percent: 5 },
      category: 'flash',
      exclusive: true,
    });
    const sel2 = selectBenefits(input([small, pct20], bill(10000)));
    expect(sel2.applied.map((a) => a.campaignId)).toEqual(['member-day']);
    expect(code(sel2, 'flash-5')).toBe('EXCLUSIVE_CONFLICT');
  });

  it('respects the maximum number of benefits per purchase', () => {
    const sel = selectBenefits(
      input([pct20, off10, gold5], bill(10000), {
        member: member({ tier: 'gold' }),
        instances: [instance('i-10', 'mj-50-10')],
        maxBenefitsPerPurchase: 2,
      }),
    );
    expect(sel.applied).toHaveLength(2);
    expect(code(sel, 'gold-5')).toBe('STACKING_LIMIT');
  });

  it('on equal savings it keeps the member’s coupons and points', () => {
    const tierOff = campaign('tier-10', { effect: { type: 'amount_off', offFen: 1000 }, category: 'coupon' });
    const sel = selectBenefits(input([tierOff, off10], bill(6000), { instances: [instance('i-10', 'mj-50-10')] }));
    expect(sel.applied.map((a) => a.campaignId)).toEqual(['tier-10']);
    expect(code(sel, 'mj-50-10')).toBe('CATEGORY_CONFLICT');
  });

  it('points exchange spends points only within the balance', () => {
    const eggs = campaign('eggs-for-points', {
      effect: { type: 'free_item' },
      usage: { type: 'points_exchange', pointsCost: 800 },
      rules: { products: ['eggs-6'] },
      category: 'points',
    });
    const sel = selectBenefits(input([eggs], items([['eggs-6', 1200, 1]]), { usage: { pointsBalance: 1000 } }));
    expect(sel).toMatchObject({ savingFen: 1200, payableFen: 0, pointsCost: 800 });
  });

  it('an amount budget caps the saving', () => {
    const c = campaign('budgeted', {
      effect: { type: 'amount_off', offFen: 1000 },
      rules: { budget: { amountFen: 50_000 } },
    });
    const sel = selectBenefits(
      input([c], bill(3000), { usage: { budgets: { budgeted: { count: 10, amountFen: 49_700 } } } }),
    );
    expect(sel.savingFen).toBe(300);
  });

  it('earns points on what is paid, with the tier multiplier', () => {
    const sel = selectBenefits(
      input([pct20], bill(10050), {
        member: member({ tier: 'gold' }),
        accrual: { pointsPerYuan: 1, tierMultipliers: { gold: 2 } },
      }),
    );
    expect(sel.payableFen).toBe(8040);
    expect(sel.pointsEarned).toBe(160);
  });

  it('never applies (or uses up) a coupon that saves nothing in the chosen combination', () => {
    // the outside review's case: gold 5% off and a birthday 满30减15 push the bill below the coupon's 满50减10
    const gold = campaign('gold-5', { effect: { type: 'percent_off', percent: 5 }, category: 'tier' });
    const birthday = campaign('birthday', {
      effect: { type: 'amount_off', thresholdFen: 3000, offFen: 1500 },
      usage: { type: 'birthday_gift' },
      category: 'gift',
    });
    const coupon = campaign('mj-50-10', {
      effect: { type: 'amount_off', thresholdFen: 5000, offFen: 1000 },
      usage: { type: 'single_use' },
      category: 'coupon',
    });
    const sel = selectBenefits(
      input([gold, birthday, coupon], bill(5000), {
        member: member({ tier: 'gold', birthdayMonth: 11 }),
        instances: [instance('coupon-1', 'mj-50-10', { usesLeft: 1 })],
      }),
    );
    expect(sel.applied.every((a) => a.savingFen > 0)).toBe(true);
    expect(sel.applied.map((a) => a.campaignId)).not.toContain('mj-50-10');
    expect(sel.savingFen).toBe(250 + 1500);
    expect(code(sel, 'mj-50-10')).toBe('THRESHOLD_NOT_MET');
  });

  it('a presented coupon is applied whenever it saves anything, even where a set without it saves as much', () => {
    // the review's case: 10% always on, and the scanned 满50减5 on a ¥50.00 bill; both alone save ¥5.00
    const pct = campaign('pct-10', { effect: { type: 'percent_off', percent: 10 }, category: 'tier' });
    const coupon = campaign('mj-50-5', {
      effect: { type: 'amount_off', thresholdFen: 5000, offFen: 500 },
      usage: { type: 'single_use' },
      category: 'coupon',
    });
    const opts = { instances: [instance('cp-1', 'mj-50-5', { usesLeft: 1 })] };
    expect(selectBenefits(input([pct, coupon], bill(5000), opts)).applied.map((a) => a.campaignId)).toEqual(['pct-10']);
    const presented = selectBenefits(input([pct, coupon], bill(5000), { ...opts, required: 'i:cp-1' }));
    expect(presented.applied.map((a) => [a.campaignId, a.savingFen])).toEqual([['mj-50-5', 500]]);
    expect(code(presented, 'pct-10')).toBe('NOT_BEST');
    // a coupon that cannot save on this bill is still left out, with its true reason
    const below = selectBenefits(input([pct, coupon], bill(4000), { ...opts, required: 'i:cp-1' }));
    expect(below.applied.map((a) => a.campaignId)).toEqual(['pct-10']);
    expect(code(below, 'mj-50-5')).toBe('THRESHOLD_NOT_MET');
  });

  it('is deterministic and explains every benefit', () => {
    const many = Array.from({ length: 50 }, (_, i) =>
      campaign(`c-${String(i).padStart(2, '0')}`, {
        effect:
          i % 2
            ? { type: 'amount_off', thresholdFen: 1000 * (i % 7), offFen: 100 * (i % 9) + 50 }
            : { type: 'percent_off', percent: 1 + (i % 30) },
        category: `cat-${i % 6}`,
        priority: i % 4,
      }),
    );
    const a = selectBenefits(input(many, bill(12345)));
    const b = selectBenefits(input([...many].reverse(), bill(12345)));
    expect(a).toEqual(b);
    expect(a.applied.length + a.notApplied.length).toBe(50);
    expect(a.applied.length).toBeLessThanOrEqual(3);
    expect(a.savingFen).toBe(a.applied.reduce((s, x) => s + x.savingFen, 0));
  });
});
