import { filled, mapped } from './arrays.ts';
import { percentOf, type Fen } from './money.ts';
import type { Campaign, Purchase } from './model.ts';

/**
 * The running prices of a purchase while benefits apply: item-level effects lower unit prices,
 * order-level effects lower the total. Mutable and reused, because the selection tries hundreds of
 * combinations per decision and a fresh cart per step was most of its cost; `Cart.copy` gives each
 * branch of the search its own.
 */
export interface CartState {
  /** Unit prices after item-level discounts so far, in unit order. */
  prices: number[];
  /** The sum of `prices` in unit order (kept in step with them). */
  unitSum: Fen;
  /** Order-level discounts taken so far. */
  orderOff: Fen;
}

/** Effect types as small numbers: the switch in `apply` runs hundreds of times per decision. */
export const Kind = { AmountOff: 0, PercentOff: 1, NthItem: 2, FixedPrice: 3, FreeItem: 4 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/**
 * One benefit's effect bound to a purchase, its parameters flattened into one object shape: the search
 * applies effects hundreds of times per decision, and reading them from five differently shaped effect
 * objects was slow. The units it may touch are found once here, not per application.
 */
export interface PricedEffect {
  kind: Kind;
  /** Its place in the fixed order effects apply in (`EFFECT_ORDER`). */
  order: number;
  /** What is left of the campaign's amount budget: no saving ever exceeds it. */
  capFen: Fen;
  /** 满减: the running total it needs. */
  thresholdFen: Fen;
  /** 满减: the amount off; fixed price: the price. */
  amountFen: Fen;
  /** Percent-off, second item: the percent off; -1 for the others. */
  percent: number;
  /** Percent-off: the cap on its saving. */
  effectCapFen: Fen;
  /** Percent-off: whether its base is the scoped units rather than the bill. */
  productScoped: boolean;
  /** Fixed price, free item: how many of the dearest scoped units it takes. */
  take: number;
  /** Indices of the units in the effect's product scope, in unit order. */
  scoped: readonly number[];
  /** Second-item offers: the scoped units of each product (in order of first appearance), and their n. */
  byProduct: readonly number[][];
  every: number;
  /**
   * Whether every amount it works with is a whole number of fen and its percent within 0–100, so that
   * its savings are whole fen too (the schema guarantees it; the search's bound relies on it).
   */
  whole: boolean;
}

const NO_GROUPS: readonly number[][] = [];
const NO_UNITS: readonly number[] = [];

/** Below this many units an insertion sort beats Array.prototype.sort (and allocates nothing). */
const SMALL_SORT = 24;

/**
 * A purchase broken into units (one per piece bought), with the arithmetic of every effect. The units
 * never change; what benefits do to them lives in a `CartState`.
 */
export class Cart {
  private readonly productOf: number[];
  private readonly basePrices: number[];
  private readonly baseSum: Fen;
  /** Distinct product ids, in order of first appearance; `productOf` indexes into it. */
  private readonly products: string[];
  /** Every unit's index, and per product (in `products` order) its units': the scopes of unscoped effects. */
  private readonly allUnits: number[];
  private readonly unitsOf: number[][];
  // scratch for picking units, sized once: apply() runs in the search's inner loop
  private readonly order: number[];
  private readonly chosen: boolean[];
  private readonly newPrice: number[];
  /** Whether every price is a whole number of fen (the schema guarantees it; the search's bound relies on it). */
  readonly whole: boolean;
  /** A state kept at the purchase's own prices between calls of `alone`. */
  private readonly base: CartState;

  private constructor(
    products: string[],
    productOf: number[],
    prices: number[],
    /** The part of a bill-only purchase (shop scanner) that has no items. */
    private readonly unitemized: Fen,
  ) {
    const n = prices.length;
    this.products = products;
    this.productOf = productOf;
    this.basePrices = prices;
    this.baseSum = sumOf(this.basePrices);
    this.allUnits = [];
    this.unitsOf = mapped(products, (): number[] => []);
    for (let u = 0; u < n; u++) {
      this.allUnits.push(u);
      (this.unitsOf[productOf[u] as number] as number[]).push(u);
    }
    this.whole = prices.every(isWhole) && isWhole(unitemized) && Number.isSafeInteger(this.baseSum + unitemized);
    this.order = filled(n, 0);
    this.chosen = filled(n, false);
    this.newPrice = filled(n, 0);
    this.base = this.state();
  }

  static of(p: Purchase): Cart {
    const products: string[] = [];
    const index = new Map<string, number>();
    const productOf: number[] = [];
    const prices: number[] = [];
    // one unit per piece, in item order; the units' total summed in that order, as always
    let itemsTotal = 0;
    for (const i of p.items) {
      let product = index.get(i.productId);
      if (product === undefined) {
        product = products.length;
        index.set(i.productId, product);
        products.push(i.productId);
      }
      for (let k = arrayLength(i.qty); k > 0; k--) {
        productOf.push(product);
        prices.push(i.unitPriceFen);
        itemsTotal += i.unitPriceFen;
      }
    }
    // A scanner may send items and a bill amount; the amount wins, items only scope the benefits.
    const unitemized = p.amountFen !== undefined ? Math.max(0, p.amountFen - itemsTotal) : 0;
    return new Cart(products, productOf, prices, unitemized);
  }

  /** What the purchase costs before any benefit. */
  get totalFen(): Fen {
    return Math.max(0, this.baseSum + this.unitemized);
  }

  /** A state at the purchase's own prices. */
  state(): CartState {
    return { prices: this.basePrices.slice(), unitSum: this.baseSum, orderOff: 0 };
  }

  /** What one effect saves on the purchase as it is (its standalone saving). */
  alone(fx: PricedEffect): Fen {
    const s = this.base;
    const saving = this.apply(s, fx);
    // back to the purchase's prices: an order-level effect only took a discount off the total
    if (fx.kind === Kind.AmountOff || fx.kind === Kind.PercentOff) s.orderOff = 0;
    else this.reset(s);
    return saving;
  }

  private reset(s: CartState): void {
    copyInto(this.basePrices, s.prices);
    s.unitSum = this.baseSum;
    s.orderOff = 0;
  }

  static copy(from: CartState, into: CartState): void {
    copyInto(from.prices, into.prices);
    into.unitSum = from.unitSum;
    into.orderOff = from.orderOff;
  }

  totalOf(s: CartState): Fen {
    return Math.max(0, s.unitSum + this.unitemized - s.orderOff);
  }

  /** Binds a campaign's effect to this purchase's units, with the saving capped by `capFen`. */
  price(c: Campaign, capFen = Number.MAX_SAFE_INTEGER): PricedEffect {
    const scopedIds = c.rules.products;
    let scoped: readonly number[] = this.allUnits;
    let groups: readonly number[][] = this.unitsOf;
    // a 满减 looks at the bill only: no scope to find
    if (scopedIds && c.effect.type !== 'amount_off') {
      let inScope = 0;
      for (const id of this.products) if (scopedIds.includes(id)) inScope++;
      // the whole purchase in scope (as often) shares the purchase's own lists: nothing to allocate
      if (inScope === 0) {
        groups = NO_GROUPS;
        scoped = NO_UNITS;
      } else if (inScope < this.products.length) {
        const within: number[][] = [];
        for (let p = 0; p < this.products.length; p++)
          if (scopedIds.includes(this.products[p] as string)) within.push(this.unitsOf[p] as number[]);
        groups = within;
        if (within.length === 1) scoped = within[0] as number[];
        else {
          const units: number[] = [];
          for (let u = 0; u < this.productOf.length; u++)
            if (scopedIds.includes(this.products[this.productOf[u] as number] as string)) units.push(u);
          scoped = units;
        }
      }
    }
    const fx: PricedEffect = {
      kind: Kind.FreeItem,
      order: EFFECT_ORDER.free_item,
      capFen,
      thresholdFen: 0,
      amountFen: 0,
      percent: -1,
      effectCapFen: Number.MAX_SAFE_INTEGER,
      productScoped: Boolean(scopedIds),
      take: 0,
      scoped,
      byProduct: NO_GROUPS,
      every: 1,
      whole: Number.isSafeInteger(capFen) && capFen >= 0,
    };
    const e = c.effect;
    switch (e.type) {
      case 'amount_off':
        fx.kind = Kind.AmountOff;
        fx.order = EFFECT_ORDER.amount_off;
        fx.thresholdFen = e.thresholdFen;
        fx.amountFen = e.offFen;
        fx.whole &&= isWhole(e.offFen);
        break;
      case 'percent_off':
        fx.kind = Kind.PercentOff;
        fx.order = EFFECT_ORDER.percent_off;
        fx.percent = e.percent;
        fx.effectCapFen = e.capFen ?? Number.MAX_SAFE_INTEGER;
        fx.whole &&= isPercent(e.percent) && isWhole(fx.effectCapFen);
        break;
      case 'nth_item': {
        fx.kind = Kind.NthItem;
        fx.order = EFFECT_ORDER.nth_item;
        fx.percent = e.percent;
        // products in order of first appearance among the scoped units, as the groups were always built
        fx.byProduct = groups;
        fx.every = e.n;
        fx.whole &&= isPercent(e.percent);
        break;
      }
      case 'fixed_price':
        fx.kind = Kind.FixedPrice;
        fx.order = EFFECT_ORDER.fixed_price;
        fx.amountFen = e.priceFen;
        fx.take = sliceEnd(scoped.length, e.maxUnits);
        fx.whole &&= isWhole(e.priceFen);
        break;
      case 'free_item':
        fx.take = sliceEnd(scoped.length, e.maxUnits);
        break;
    }
    return fx;
  }

  /**
   * Applies one benefit's effect to `s` in place and returns its saving; a saving of 0 means the effect
   * did not apply.
   */
  apply(s: CartState, fx: PricedEffect): Fen {
    const prices = s.prices;
    switch (fx.kind) {
      case Kind.AmountOff: {
        const total = this.totalOf(s);
        if (total < fx.thresholdFen) return 0;
        const saving = Math.min(fx.amountFen, total, fx.capFen);
        s.orderOff = s.orderOff + saving;
        return saving;
      }
      case Kind.PercentOff: {
        const base = fx.productScoped ? Math.min(sumAt(prices, fx.scoped), this.totalOf(s)) : this.totalOf(s);
        const saving = Math.min(percentOf(base, fx.percent), fx.effectCapFen, fx.capFen);
        s.orderOff = s.orderOff + saving;
        return saving;
      }
      case Kind.NthItem: {
        // every n-th unit of the same product, the cheapest ones if prices differ after other discounts
        for (let g = 0; g < fx.byProduct.length; g++) {
          const group = fx.byProduct[g] as number[];
          const count = Math.floor(group.length / fx.every);
          if (count === 0) continue;
          const sorted = this.sortByPrice(prices, group, false);
          for (let k = 0; k < count; k++) {
            const u = sorted[k] as number;
            const p = prices[u] as number;
            this.choose(u, p - percentOf(p, fx.percent));
          }
        }
        return this.reprice(s, fx.capFen);
      }
      case Kind.FixedPrice: {
        const sorted = this.sortByPrice(prices, fx.scoped, true);
        for (let k = 0; k < fx.take; k++) {
          const u = sorted[k] as number;
          if ((prices[u] as number) > fx.amountFen) this.choose(u, fx.amountFen);
        }
        return this.reprice(s, fx.capFen);
      }
      default: {
        const sorted = this.sortByPrice(prices, fx.scoped, true);
        for (let k = 0; k < fx.take; k++) this.choose(sorted[k] as number, 0);
        return this.reprice(s, fx.capFen);
      }
    }
  }

  private choose(u: number, priceFen: Fen): void {
    this.chosen[u] = true;
    this.newPrice[u] = priceFen;
  }

  /**
   * `units` ordered by their current price (ascending, or descending), equal prices in unit order: what
   * a stable sort gives, so the same units are picked as always. Returns a view of the scratch buffer.
   */
  private sortByPrice(prices: readonly number[], units: readonly number[], descending: boolean): readonly number[] {
    const n = units.length;
    if (n > SMALL_SORT) {
      const sorted = [...units];
      sorted.sort((a, b) =>
        descending ? (prices[b] as number) - (prices[a] as number) : (prices[a] as number) - (prices[b] as number),
      );
      return sorted;
    }
    const out = this.order;
    for (let k = 0; k < n; k++) {
      const u = units[k] as number;
      const p = prices[u] as number;
      let j = k;
      // moved past strictly out-of-order units only: equal prices keep their unit order (stability)
      for (; j > 0; j--) {
        const before = prices[out[j - 1] as number] as number;
        if (!((descending ? before - p : p - before) < 0)) break;
        out[j] = out[j - 1] as number;
      }
      out[j] = u;
    }
    return out;
  }

  /** Item-level effects: the chosen units take their new prices; the order-level discount stays. */
  private reprice(s: CartState, capFen: Fen): Fen {
    const totalBefore = this.totalOf(s);
    const prices = s.prices;
    let budget = capFen;
    let saving = 0;
    for (let u = 0; u < prices.length; u++) {
      if (!this.chosen[u]) continue;
      this.chosen[u] = false;
      const p = prices[u] as number;
      const cut = Math.min(p - (this.newPrice[u] as number), budget);
      budget -= cut;
      saving += cut;
      prices[u] = p - cut;
    }
    s.unitSum = sumOf(prices);
    // an order-level discount already taken can never exceed what is left to pay
    return Math.min(saving, totalBefore);
  }
}

/** Prices of one state into another's (both the purchase's length). */
function copyInto(from: readonly number[], into: number[]): void {
  for (let u = 0; u < from.length; u++) into[u] = from[u] as number;
}

/** Summed left to right from 0, like the reduce it replaces, so not even a rounding can differ. */
function sumOf(prices: readonly number[]): Fen {
  let s = 0;
  for (let u = 0; u < prices.length; u++) s += prices[u] as number;
  return s;
}

const isWhole = (fen: number): boolean => Number.isSafeInteger(fen) && fen >= 0;
const isPercent = (p: number): boolean => Number.isInteger(p) && p >= 0 && p <= 100;

function sumAt(prices: readonly number[], units: readonly number[]): Fen {
  let s = 0;
  for (let k = 0; k < units.length; k++) s += prices[units[k] as number] as number;
  return s;
}

/** How many elements `Array.from({ length })` makes: the units of a line of `qty` pieces. */
function arrayLength(length: number): number {
  const n = Number.isNaN(length) ? 0 : Math.min(Math.max(Math.trunc(length), 0), Number.MAX_SAFE_INTEGER);
  if (n > 2 ** 32 - 1) throw new RangeError('Invalid array length');
  return n;
}

/** How many of `length` items `slice(0, end)` keeps. */
function sliceEnd(length: number, end: number): number {
  const e = Number.isNaN(end) ? 0 : Math.trunc(end);
  return e < 0 ? Math.max(length + e, 0) : Math.min(e, length);
}

/**
 * Item-level effects apply before order-level ones; percent-off before amount-off (the order is fixed and documented).
 */
export const EFFECT_ORDER: Readonly<Record<Campaign['effect']['type'], number>> = {
  nth_item: 0,
  fixed_price: 1,
  free_item: 2,
  percent_off: 3,
  amount_off: 4,
};

export function effectOrder(c: Campaign): number {
  return EFFECT_ORDER[c.effect.type];
}
