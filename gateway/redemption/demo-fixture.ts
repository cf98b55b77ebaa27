import { KIND_MODULES } from '../../devices/registry.ts';
import { seededRng } from '../../sim/src/prng.ts';
import type * as z from 'zod';
import type { FixtureSchema } from './fixture.ts';

type FixtureInput = z.input<typeof FixtureSchema>;
const DAY = 86_400_000;

/**
 * The demo community: four partner merchants, every kind of benefit, a few hundred pseudonymous members
 * with cards, coupons and family links. Deterministic for a seed, so the demo and the tests agree.
 */
export function demoFixture(opts: { members?: number; seed?: number; now?: number } = {}): FixtureInput {
  const rng = seededRng(opts.seed ?? 2026);
  const now = opts.now ?? Date.UTC(2026, 10, 22);
  const n = opts.members ?? 300;
  const name = (zh: string, en: string) => ({ zh, en });
  const campaigns: FixtureInput['campaigns'] = [
    {
      id: 'cafe-mj-50-10',
      name: name('咖啡满50减10', 'Café 10 off 50'),
      effect: { type: 'amount_off', thresholdFen: 5000, offFen: 1000 },
      usage: { type: 'single_use' },
      rules: { merchants: ['cafe-01'] },
      category: 'coupon',
    },
    {
      id: 'member-day-20',
      name: name('会员日8折', 'Member day 20% off'),
      effect: { type: 'percent_off', percent: 20, capFen: 3000 },
      usage: { type: 'always_on' },
      rules: { daysOfWeek: [3] },
      category: 'member-day',
    },
    {
      id: 'milk-second-half',
      name: name('牛奶第二件半价', 'Second milk half price'),
      effect: { type: 'nth_item', n: 2, percent: 50 },
      usage: { type: 'always_on' },
      rules: { products: ['milk-250ml', 'soy-milk'] },
      category: 'item-deal',
    },
    {
      id: 'fresh-weekly-card',
      name: name('社区生鲜周卡', 'Weekly fresh-food card'),
      effect: { type: 'amount_off', offFen: 500 },
      usage: { type: 'period_card', usesPerPeriod: 2, period: 'week' },
      rules: { merchants: ['fresh-01'], minSpendFen: 2000 },
      category: 'card',
    },
    {
      id: 'breakfast-punch',
      name: name('早餐集点卡', 'Breakfast punch card'),
      effect: { type: 'free_item' },
      usage: { type: 'punch_card', uses: 10 },
      rules: { merchants: ['breakfast-01'], products: ['steamed-buns-4', 'soy-milk'] },
      category: 'card',
    },
    {
      id: 'morning-package',
      name: name('即取即走早间套餐', 'Grab-and-go breakfast set'),
      effect: { type: 'fixed_price', priceFen: 990 },
      usage: { type: 'always_on' },
      rules: {
        merchants: ['breakfast-01', 'cafe-01'],
        hours: [{ from: '06:30', to: '10:00' }],
        products: ['breakfast-set'],
      },
      category: 'package',
    },
    {
      id: 'kids-park-bundle',
      name: name('亲子乐园+社区生鲜', 'Kids park + fresh food bundle'),
      effect: { type: 'amount_off', thresholdFen: 10000, offFen: 2000 },
      usage: { type: 'single_use' },
      rules: { merchants: ['fresh-01'] },
      category: 'bundle',
      grants: ['pharmacy-bundle-10'],
    },
    {
      id: 'pharmacy-bundle-10',
      name: name('药店9折(组合赠)', 'Pharmacy 10% off (bundle)'),
      effect: { type: 'percent_off', percent: 10, capFen: 2000 },
      usage: { type: 'single_use' },
      rules: { merchants: ['pharmacy-01'] },
      category: 'bundle',
    },
    {
      id: 'gold-5',
      name: name('金卡95折', 'Gold 5% off'),
      effect: { type: 'percent_off', percent: 5 },
      usage: { type: 'always_on' },
      rules: { tiers: ['gold'] },
      category: 'tier',
    },
    {
      id: 'silver-2',
      name: name('银卡98折', 'Silver 2% off'),
      effect: { type: 'percent_off', percent: 2 },
      usage: { type: 'always_on' },
      rules: { tiers: ['silver'] },
      category: 'tier',
    },
    {
      id: 'birthday-gift',
      name: name('生日月礼 减15', 'Birthday month 15 off'),
      effect: { type: 'amount_off', thresholdFen: 3000, offFen: 1500 },
      usage: { type: 'birthday_gift' },
      rules: {},
      category: 'gift',
    },
    {
      id: 'welcome-back',
      name: name('回归礼 减8', 'Welcome back 8 off'),
      effect: { type: 'amount_off', thresholdFen: 2000, offFen: 800 },
      usage: { type: 'welcome_back', inactiveDays: 30 },
      rules: {},
      category: 'gift',
    },
    {
      id: 'points-eggs',
      name: name('积分兑换鸡蛋', 'Eggs for points'),
      effect: { type: 'free_item' },
      usage: { type: 'points_exchange', pointsCost: 600 },
      rules: { products: ['eggs-6'] },
      category: 'points',
    },
  ];
  // each kind's own offers (a charging card, free hours); drawn from their own sequence, so adding a kind
  // leaves the members the other offers went to as they were
  const kindRng = seededRng((opts.seed ?? 2026) + 1);
  for (const m of KIND_MODULES) if ('demo' in m && m.demo) campaigns.push(...m.demo.campaigns);
  const tiers = ['regular', 'regular', 'regular', 'silver', 'silver', 'gold'];
  const members: NonNullable<FixtureInput['members']> = [];
  for (let i = 1; i <= n; i++) {
    const id = `m-${String(i).padStart(4, '0')}`;
    const hex = (bytes: number) =>
      Array.from({ length: bytes }, () =>
        Math.floor(rng() * 256)
          .toString(16)
          .padStart(2, '0'),
      )
        .join('')
        .toUpperCase();
    const cardType = i % 3;
    const inactive = rng() < 0.1;
    const benefits: NonNullable<(typeof members)[number]['benefits']> = [];
    if (rng() < 0.6) benefits.push({ id: `b-${id}-cafe`, campaignId: 'cafe-mj-50-10', expiresAt: now + 30 * DAY });
    if (rng() < 0.4)
      benefits.push({ id: `b-${id}-weekly`, campaignId: 'fresh-weekly-card', expiresAt: now + 90 * DAY });
    if (rng() < 0.3)
      benefits.push({ id: `b-${id}-punch`, campaignId: 'breakfast-punch', usesLeft: 1 + Math.floor(rng() * 10) });
    if (rng() < 0.2) benefits.push({ id: `b-${id}-bundle`, campaignId: 'kids-park-bundle', expiresAt: now + 60 * DAY });
    for (const m of KIND_MODULES) if ('demo' in m && m.demo) benefits.push(...m.demo.benefits(id, kindRng, now));
    members.push({
      id,
      tier: tiers[Math.floor(rng() * tiers.length)] ?? 'regular',
      birthdayMonth: 1 + Math.floor(rng() * 12),
      lastActiveDate: new Date(now - (inactive ? 45 : Math.floor(rng() * 10)) * DAY).toISOString().slice(0, 10),
      familyGroupId: `fam-${Math.ceil(i / 3)}`,
      segments: rng() < 0.25 ? ['seniors'] : [],
      walletFen: Math.floor(rng() * 200) * 100,
      points: Math.floor(rng() * 2000),
      cards: [
        cardType === 0
          ? { type: 'uid' as const, uid: hex(4) }
          : cardType === 1
            ? { type: 'sun' as const, uid: `04${hex(6)}` }
            : { type: 'qr' as const, credentialId: hex(16) },
      ],
      benefits,
    });
  }
  // 亲情代付: in each family of three, the first member pays for the other two within limits
  const family = members.flatMap((m, idx) => {
    const payer = members[idx - (idx % 3)];
    return idx % 3 === 0 || !payer
      ? []
      : [{ memberId: m.id, payerId: payer.id, perTxnFen: 5000, perDayFen: 10000, perMonthFen: 50000 }];
  });
  const lost = members[7]?.cards?.[0];
  return {
    merchants: [
      { id: 'cafe-01', name: '邻里咖啡 Neighbourhood Café' },
      { id: 'fresh-01', name: '社区生鲜 Community Fresh' },
      { id: 'pharmacy-01', name: '康民药店 Kangmin Pharmacy' },
      { id: 'breakfast-01', name: '早点铺 Breakfast Stall' },
    ],
    campaigns,
    members,
    family,
    hotlist: lost ? [lost] : [],
  };
}
