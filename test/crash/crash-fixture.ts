import type * as z from 'zod';
import type { FixtureSchema } from '../../gateway/redemption/fixture.ts';

/** The crash suite's community: every asset moves (wallets, points earned and exchanged, punch-card uses). */
export const MEMBERS = 12;
export const SCANNERS = ['sc-1', 'sc-2', 'sc-3'] as const;
export const VENDING = ['vm-1', 'vm-2', 'vm-3'] as const;
export const SHOP = 'shop-01';

export const cardOf = (i: number) => `04C0FF${(i + 16).toString(16).toUpperCase().padStart(2, '0')}`;

export function crashFixture(): z.input<typeof FixtureSchema> {
  return {
    merchants: [{ id: SHOP, name: 'Shop' }, ...VENDING.map((id) => ({ id, name: `Vending ${id}` }))],
    campaigns: [
      {
        id: 'shop-punch',
        name: { zh: '集点卡', en: 'Punch card' },
        effect: { type: 'amount_off', offFen: 100 },
        usage: { type: 'punch_card', uses: 1000 },
        rules: { merchants: [SHOP] },
        category: 'card',
      },
      {
        id: 'eggs-for-points',
        name: { zh: '积分换鸡蛋', en: 'Eggs for points' },
        effect: { type: 'free_item' },
        usage: { type: 'points_exchange', pointsCost: 30 },
        rules: { products: ['eggs-6'] },
        category: 'points',
      },
      {
        id: 'milk-off',
        name: { zh: '牛奶立减', en: 'Milk off' },
        effect: { type: 'amount_off', offFen: 50 },
        usage: { type: 'always_on' },
        rules: { products: ['milk'] },
        category: 'item-deal',
      },
    ],
    members: Array.from({ length: MEMBERS }, (_, i) => ({
      id: `m-${i}`,
      tier: i % 3 === 0 ? 'gold' : 'regular',
      // under the prepaid card cap (¥1,000 for a card not registered); a few members run dry during the run,
      // so declines (INSUFFICIENT_FUNDS) are part of the traffic
      walletFen: i % 4 === 3 ? 3_000 : 90_000,
      points: 200,
      cards: [{ type: 'uid' as const, uid: cardOf(i) }],
      benefits: i % 2 === 0 ? [{ id: `punch-${i}`, campaignId: 'shop-punch' }] : [],
    })),
  };
}
