import { percentOf, type Fen } from './money.ts';
import type { Campaign, Purchase } from './model.ts';

/** One unit of a product with its price after item-level discounts so far. */
interface Unit {
  productId: string;
  priceFen: Fen;
}

/**
 * The running state of a purchase while benefits apply: item-level effects lower unit prices,
 * order-level effects lower the total. Copy-on-apply, so trying combinations never mutates a shared cart.
 */
export class Cart {
  private constructor(
    private readonly units: readonly Unit[],
    /** The part of a bill-only purchase (shop scanner) that has no items. */
    private readonly unitemized: Fen,
    private readonly orderOff: Fen,
  ) {}

  static of(p: Purchase): Cart {
    const units = p.items.flatMap((i) =>
      Array.from({ length: i.qty }, () => ({ productId: i.productId, priceFen: i.unitPriceFen })),
    );
    const itemsTotal = units.reduce((s, u) => s + u.priceFen, 0);
    // A scanner may send items and a bill amount; the amount wins, items only scope the benefits.
    const unitemized = p.amountFen !== undefined ? Math.max(0, p.amountFen - itemsTotal) : 0;
    return new Cart(units, unitemized, 0);
  }

  get totalFen(): Fen {
    return Math.max(0, this.units.reduce((s, u) => s + u.priceFen, 0) + this.unitemized - this.orderOff);
  }

  private scoped(c: Campaign): Unit[] {
    const products = c.rules.products;
    return this.units.filter((u) => !products || products.includes(u.productId));
  }

  /**
   * Applies one benefit's effect, its saving capped by `capFen` (what is left of the campaign's amount
   * budget). Returns the new cart and the saving; a saving of 0 means the effect did not apply.
   */
  apply(c: Campaign, capFen = Number.MAX_SAFE_INTEGER): { cart: Cart; savingFen: Fen } {
    const e = c.effect;
    switch (e.type) {
      case 'amount_off': {
        const total = this.totalFen;
        if (total < e.thresholdFen) return { cart: this, savingFen: 0 };
        const saving = Math.min(e.offFen, total, capFen);
        return { cart: new Cart(this.units, this.unitemized, this.orderOff + saving), savingFen: saving };
      }
      case 'percent_off': {
        const base = c.rules.products
          ? Math.min(
              this.scoped(c).reduce((s, u) => s + u.priceFen, 0),
              this.totalFen,
            )
          : this.totalFen;
        const saving = Math.min(percentOf(base, e.percent), e.capFen ?? Number.MAX_SAFE_INTEGER, capFen);
        return { cart: new Cart(this.units, this.unitemized, this.orderOff + saving), savingFen: saving };
      }
      case 'nth_item':
        return this.reprice(c, capFen, (units) => {
          // every n-th unit of the same product, the cheapest ones if prices differ after other discounts
          const byProduct = new Map<Unit['productId'], Unit[]>();
          for (const u of units) byProduct.set(u.productId, [...(byProduct.get(u.productId) ?? []), u]);
          const picked: [Unit, Fen][] = [];
          for (const group of byProduct.values()) {
            const sorted = [...group].sort((a, b) => a.priceFen - b.priceFen);
            const count = Math.floor(group.length / e.n);
            for (const u of sorted.slice(0, count)) picked.push([u, u.priceFen - percentOf(u.priceFen, e.percent)]);
          }
          return picked;
        });
      case 'fixed_price':
        return this.reprice(c, capFen, (units) =>
          [...units]
            .sort((a, b) => b.priceFen - a.priceFen)
            .slice(0, e.maxUnits)
            .filter((u) => u.priceFen > e.priceFen)
            .map((u): [Unit, Fen] => [u, e.priceFen]),
        );
      case 'free_item':
        return this.reprice(c, capFen, (units) =>
          [...units]
            .sort((a, b) => b.priceFen - a.priceFen)
            .slice(0, e.maxUnits)
            .map((u): [Unit, Fen] => [u, 0]),
        );
    }
  }

  /** Item-level effects: `choose` picks units and their new prices; the order-level discount stays. */
  private reprice(c: Campaign, capFen: Fen, choose: (units: Unit[]) => [Unit, Fen][]): { cart: Cart; savingFen: Fen } {
    const changes = new Map(choose(this.scoped(c)));
    let budget = capFen;
    let saving = 0;
    const units = this.units.map((u) => {
      const next = changes.get(u);
      if (next === undefined) return u;
      const cut = Math.min(u.priceFen - next, budget);
      budget -= cut;
      saving += cut;
      return { productId: u.productId, priceFen: u.priceFen - cut };
    });
    // an order-level discount already taken can never exceed what is left to pay
    const cart = new Cart(units, this.unitemized, this.orderOff);
    return { cart, savingFen: Math.min(saving, this.totalFen) };
  }
}

/**
 * Item-level effects apply before order-level ones; percent-off before amount-off (the order is fixed and documented).
 */
export function effectOrder(c: Campaign): number {
  return { nth_item: 0, fixed_price: 1, free_item: 2, percent_off: 3, amount_off: 4 }[c.effect.type];
}
