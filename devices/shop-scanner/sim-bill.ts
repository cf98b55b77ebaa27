import { pick, type Rng } from '../../sim/src/prng.ts';

interface Bill {
  amountFen: number;
  items?: { productId: string; unitPriceFen: number; qty: number }[];
}

const yuan = (rng: Rng, from: number, to: number) => (from + Math.floor(rng() * (to - from + 1))) * 100;

/**
 * What a resident spends at a shop, sized so the demo community's offers come into play: the café's
 * 满50减10 threshold is crossed about half the time, the fresh-food shop's weekly card needs 20 yuan and
 * its 满100减20 bundle 100, and the till sends items when the offer is on items (a second milk half
 * price, the morning set). A resident with only a plain card keeps under the plain-card cap (50 yuan a
 * purchase), as a resident told of the cap would; a bigger bill is for a secure card or the member code.
 */
export function billFor(merchantId: string | undefined, rng: Rng, plain: boolean): Bill {
  const cap = (fen: number) => (plain ? Math.min(fen, 4800) : fen);
  switch (merchantId) {
    case 'cafe-01': {
      const amountFen = cap(yuan(rng, 18, 88));
      return rng() < 0.3
        ? { amountFen, items: [{ productId: 'breakfast-set', unitPriceFen: 1500, qty: 1 }] }
        : { amountFen };
    }
    case 'fresh-01': {
      const amountFen = cap(yuan(rng, 22, 130));
      return rng() < 0.35
        ? { amountFen, items: [{ productId: 'milk-250ml', unitPriceFen: 450, qty: 2 }] }
        : { amountFen };
    }
    case 'breakfast-01':
      return {
        amountFen: yuan(rng, 4, 20),
        items: [
          {
            productId: pick(rng, ['steamed-buns-4', 'soy-milk', 'breakfast-set'] as const) ?? 'soy-milk',
            unitPriceFen: 400,
            qty: 1,
          },
        ],
      };
    default:
      return { amountFen: cap(yuan(rng, 10, 80)) };
  }
}
