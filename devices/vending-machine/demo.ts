import type { KindDemo } from '../kind-module.ts';
import { vendingMachineWire } from './wire.ts';

/** The demo community's vending offer: a yuan off evening drinks, twice a day, for everyone. */
export const vendingDemo: KindDemo = {
  campaigns: [
    {
      id: 'vending-evening',
      name: { zh: '晚间饮品立减1元', en: 'Evening drinks 1 off' },
      effect: { type: 'amount_off', offFen: 100 },
      usage: { type: 'always_on' },
      rules: {
        deviceKinds: [vendingMachineWire.kind],
        hours: [{ from: '18:00', to: '23:00' }],
        perMemberLimit: { count: 2, period: 'day' },
        budget: { count: 5000, amountFen: 500_000 },
      },
      category: 'promo',
    },
  ],
  // always on: nobody needs to hold it
  benefits: () => [],
};
