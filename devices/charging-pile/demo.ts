import type { KindDemo } from '../kind-module.ts';
import { CHARGE_PRODUCTS } from './rules.ts';

const DAY = 86_400_000;
const products = [CHARGE_PRODUCTS.hour, CHARGE_PRODUCTS.kwh];

/**
 * The demo community's charging offers, chosen by the same engine as every other benefit: a monthly
 * charging card (包月: up to ten hours of each charge free, 30 charges a month), two free hours a charge
 * for gold members (four charges a month), and a 满5减1 coupon on a charge.
 */
export const chargingDemo: KindDemo = {
  campaigns: [
    {
      id: 'ebike-monthly-card',
      name: { zh: '电动车充电月卡', en: 'E-bike charging monthly card' },
      effect: { type: 'free_item', maxUnits: 10 },
      usage: { type: 'period_card', usesPerPeriod: 30, period: 'month' },
      rules: { products },
      category: 'card',
    },
    {
      id: 'gold-free-charge',
      name: { zh: '金卡每次免费充电2小时', en: 'Gold: 2 free charging hours' },
      effect: { type: 'free_item', maxUnits: 2 },
      usage: { type: 'always_on' },
      rules: { tiers: ['gold'], products, perMemberLimit: { count: 4, period: 'month' } },
      category: 'tier',
    },
    {
      id: 'charge-mj-5-1',
      name: { zh: '充电满5减1', en: 'Charging 1 off 5' },
      effect: { type: 'amount_off', thresholdFen: 500, offFen: 100 },
      usage: { type: 'single_use' },
      rules: { products },
      category: 'coupon',
    },
  ],
  benefits(memberId, rng, now) {
    const out = [];
    if (rng() < 0.15)
      out.push({ id: `b-${memberId}-ebike-month`, campaignId: 'ebike-monthly-card', expiresAt: now + 30 * DAY });
    if (rng() < 0.4)
      out.push({ id: `b-${memberId}-charge-mj`, campaignId: 'charge-mj-5-1', expiresAt: now + 30 * DAY });
    return out;
  },
};
