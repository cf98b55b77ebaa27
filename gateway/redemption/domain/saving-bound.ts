import { EFFECT_ORDER } from './cart.ts';
import type { Fen } from './money.ts';

/**
 * Upper bounds on what a combination of benefits saves, computed without pricing it, so the search can
 * skip combinations that cannot beat the best one found. The bounds must never be low: a combination
 * skipped wrongly would change the answer.
 *
 * Why they hold. In effect order, each benefit's saving (1) is at most its standalone saving: every effect
 * saves no more on a cart that is cheaper anywhere, and the benefits before it only make the cart cheaper;
 * (2) is at most what is left to pay, and that is at most the subtotal less the savings before it; (3) for
 * a percent-off, is at most its percent of that. So with `left` the subtotal less the savings so far, a
 * benefit takes at most `most(left)` = min(standalone, left, ⌊left × percent / 100⌋), and the greedy
 * chain — each benefit taking its `most` in turn — bounds the total: taking a fen more early lowers what
 * the rest may take by at most a fen, because each `most` rises by at most a fen when `left` does. That
 * last step needs whole fen and percents within 0–100, which the schema guarantees; `holds` says whether
 * they are.
 *
 * Flat savings (no percent) on one side of the percent-offs add up in any order: min(their sum, left).
 * The percent-offs in any order leave at least left × Π(100 − percent) / 100ⁿ of the bill.
 */
export const FLAT_BEFORE = 0;
export const PERCENT = 1;
export const FLAT_AFTER = 2;

/** A benefit as the bound sees it. */
export interface Bounded {
  standalone: Fen;
  /** FLAT_BEFORE (item-level), PERCENT or FLAT_AFTER (满减): where it applies relative to the percent-offs. */
  side: number;
  /** The percent of a percent-off; unused for the others. */
  percent: number;
  /** The parts of the tie-break key: coupons used up (0 or 1), points spent, priority. */
  consumes: number;
  pointsCost: number;
  priority: number;
}

/** A set's tie-break key: lower is better in this order (the priority part is the priority sum, negated). */
export interface Key {
  consumes: number;
  points: number;
  negPriority: number;
}

/** Where a benefit with this place in the effect order applies relative to the percent-offs. */
export function sideOf(effectOrder: number): number {
  if (effectOrder === EFFECT_ORDER.percent_off) return PERCENT;
  return effectOrder < EFFECT_ORDER.percent_off ? FLAT_BEFORE : FLAT_AFTER;
}

/**
 * One side's benefits seen from the end: entry r describes the last r of them (in search order), so the
 * benefits from any index on are the last `remaining` of their side.
 */
interface Tail {
  /** By n − i: how many of the side's benefits have an index of at least i. */
  remaining: number[];
  sums: number[];
  /** How many use up no coupon; the fewest points and highest priority, of all and of those. */
  free: number[];
  minPoints: number[];
  maxPriority: number[];
  minPointsFree: number[];
  maxPriorityFree: number[];
  /** The largest percent (percent-offs). */
  maxPercent: number[];
}

const SIDES = 3;
/** Products up to this stay exact doubles, and so do ⌈x / d⌉ · d for them. */
const EXACT = 2 ** 52;
/** 100ⁿ stays an exact double up to n = 7; beyond that the percent-offs are bounded by their standalone sum. */
const MAX_EXACT_PERCENTS = 7;
const POWERS_OF_100 = [1, 1e2, 1e4, 1e6, 1e8, 1e10, 1e12, 1e14];

function emptyTail(): Tail {
  const inf = Number.POSITIVE_INFINITY;
  return {
    remaining: [0],
    sums: [0],
    free: [0],
    minPoints: [inf],
    maxPriority: [-inf],
    minPointsFree: [inf],
    maxPriorityFree: [-inf],
    maxPercent: [-1],
  };
}

export class SavingBound {
  private readonly tails: Tail[] = [emptyTail(), emptyTail(), emptyTail()];
  private readonly n: number;
  /**
   * Whether the bounds hold for these benefits on this purchase: whole fen (`wholeFen`: the prices and
   * effects), percents within 0–100, coupons used up 0 or 1, whole points never negative (so that adding
   * a benefit never improves those key parts) and whole priorities. When not, the search must not use them.
   */
  readonly holds: boolean;

  constructor(
    private readonly subtotal: Fen,
    /** The benefits in search order (standalone saving, descending). */
    private readonly of: readonly Bounded[],
    /** Position in effect order, by index. */
    private readonly rank: readonly number[],
    wholeFen: boolean,
  ) {
    const n = of.length;
    this.n = n;
    let holds = wholeFen && Number.isSafeInteger(subtotal) && subtotal >= 0;
    let sum = subtotal;
    // one pass from the end: each entry is the one before it (r − 1) taking in one more benefit
    for (let i = n - 1; i >= 0; i--) {
      const b = of[i] as Bounded;
      holds &&=
        Number.isSafeInteger(b.standalone) &&
        b.standalone >= 0 &&
        (b.side !== PERCENT || (Number.isInteger(b.percent) && b.percent >= 0 && b.percent <= 100)) &&
        (b.consumes === 0 || b.consumes === 1) &&
        Number.isSafeInteger(b.pointsCost) &&
        b.pointsCost >= 0 &&
        Number.isSafeInteger(b.priority);
      sum += b.standalone;
      for (let t = 0; t < SIDES; t++) {
        const remaining = (this.tails[t] as Tail).remaining;
        remaining.push((remaining[remaining.length - 1] as number) + (b.side === t ? 1 : 0));
      }
      const tail = this.tails[b.side] as Tail;
      const r = tail.sums.length - 1;
      const free = b.consumes === 0;
      tail.sums.push((tail.sums[r] as number) + b.standalone);
      tail.free.push((tail.free[r] as number) + (free ? 1 : 0));
      tail.minPoints.push(Math.min(tail.minPoints[r] as number, b.pointsCost));
      tail.maxPriority.push(Math.max(tail.maxPriority[r] as number, b.priority));
      tail.minPointsFree.push(
        free ? Math.min(tail.minPointsFree[r] as number, b.pointsCost) : (tail.minPointsFree[r] as number),
      );
      tail.maxPriorityFree.push(
        free ? Math.max(tail.maxPriorityFree[r] as number, b.priority) : (tail.maxPriorityFree[r] as number),
      );
      tail.maxPercent.push(Math.max(tail.maxPercent[r] as number, b.side === PERCENT ? b.percent : -1));
    }
    this.holds = holds && Number.isSafeInteger(sum);
  }

  /** At most what `members` (the first `count`, in effect order) plus benefit `e` save together: the greedy chain. */
  chain(members: readonly number[], count: number, e: number): Fen {
    const rank = this.rank;
    const eRank = rank[e] as number;
    let left = this.subtotal;
    let sum = 0;
    let k = 0;
    let pending = true;
    while (k < count || pending) {
      let m: number;
      if (pending && (k >= count || (rank[members[k] as number] as number) > eRank)) {
        m = e;
        pending = false;
      } else m = members[k++] as number;
      const b = this.of[m] as Bounded;
      let most = Math.min(b.standalone, left);
      if (b.side === PERCENT) most = Math.min(most, Math.floor((left * b.percent) / 100));
      sum += most;
      left -= most;
    }
    return sum;
  }

  /**
   * Whether some set of `members` (the first `count`), benefit `e` (none if -1) and at most `slots` more
   * from index `from` on might beat a best set that saves `saving` with key `best`, whose own key (without
   * the more) is `own`. For each split of the slots between the three sides it bounds the saving (the
   * largest standalone savings of each side, the percent-offs as if all had the largest percent among
   * them) and the key from below (the fewest coupons, points and the most priority those benefits allow):
   * no split saves more, nor as much with a key at least as good, means no such set can win.
   */
  canWin(
    members: readonly number[],
    count: number,
    e: number,
    from: number,
    slots: number,
    saving: Fen,
    best: Key,
    own: Key,
  ): boolean {
    let before = 0;
    let after = 0;
    let percentSum = 0;
    let percents = 0;
    let keep = 1;
    for (let k = 0; k <= count; k++) {
      const m = k < count ? (members[k] as number) : e;
      if (m < 0) break;
      const b = this.of[m] as Bounded;
      if (b.side === FLAT_BEFORE) before += b.standalone;
      else if (b.side === FLAT_AFTER) after += b.standalone;
      else {
        percentSum += b.standalone;
        percents++;
        keep *= 100 - b.percent;
      }
    }
    const subtotal = this.subtotal;
    const back = this.n - from;
    const t0 = this.tails[FLAT_BEFORE] as Tail;
    const t1 = this.tails[PERCENT] as Tail;
    const t2 = this.tails[FLAT_AFTER] as Tail;
    const r0 = t0.remaining[back] as number;
    const r1 = t1.remaining[back] as number;
    const r2 = t2.remaining[back] as number;
    const maxPercent = t1.maxPercent[r1] as number;
    for (let a = 0; a <= slots && a <= r0; a++) {
      const flatBefore = Math.min(before + top(t0, r0, a), subtotal);
      const left = subtotal - flatBefore;
      for (let p = 0; p <= r1 && a + p <= slots; p++) {
        let percentOff = percentSum + top(t1, r1, p);
        const n = percents + p;
        if (n > 0 && n <= MAX_EXACT_PERCENTS) {
          let scaled = left * keep;
          for (let k = 0; k < p; k++) scaled *= 100 - maxPercent;
          if (scaled <= EXACT) percentOff = Math.min(percentOff, left - ceilDiv(scaled, POWERS_OF_100[n] as number));
        }
        for (let c = 0; c <= r2 && a + p + c <= slots; c++) {
          const most = Math.min(flatBefore + Math.min(percentOff, left) + after + top(t2, r2, c), subtotal);
          if (most < saving) continue;
          if (most > saving) return true;
          if (!this.keyWorse(back, a, p, c, best, own)) return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether every set adding `a`, `p` and `c` benefits of the three sides from index n − `back` on to one
   * with key `own` has a key worse than `best` (in its first three parts; the refs are never bounded). A
   * set using up more coupons than the fewest possible is worse whenever the fewest already tie, so then
   * a side that can be filled without coupons is bounded by its benefits that use none.
   */
  private keyWorse(back: number, a: number, p: number, c: number, best: Key, own: Key): boolean {
    const t0 = this.tails[FLAT_BEFORE] as Tail;
    const t1 = this.tails[PERCENT] as Tail;
    const t2 = this.tails[FLAT_AFTER] as Tail;
    const consumes = own.consumes + consumed(t0, back, a) + consumed(t1, back, p) + consumed(t2, back, c);
    if (consumes !== best.consumes) return consumes > best.consumes;
    const points = own.points + fewestPoints(t0, back, a) + fewestPoints(t1, back, p) + fewestPoints(t2, back, c);
    if (points !== best.points) return points > best.points;
    const priority =
      -own.negPriority + mostPriority(t0, back, a) + mostPriority(t1, back, p) + mostPriority(t2, back, c);
    return -priority > best.negPriority;
  }
}

/** The sum of the standalone savings of the first `k` of a side's last `r` benefits (its largest `k`). */
function top(tail: Tail, r: number, k: number): Fen {
  return k === 0 ? 0 : (tail.sums[r] as number) - (tail.sums[r - k] as number);
}

/** The fewest coupons `k` of a side's benefits from `back` (n − index) on use up (each one or none). */
function consumed(tail: Tail, back: number, k: number): number {
  return k === 0 ? 0 : Math.max(0, k - (tail.free[tail.remaining[back] as number] as number));
}

function fewestPoints(tail: Tail, back: number, k: number): number {
  if (k === 0) return 0;
  const r = tail.remaining[back] as number;
  return k * ((k <= (tail.free[r] as number) ? tail.minPointsFree : tail.minPoints)[r] as number);
}

function mostPriority(tail: Tail, back: number, k: number): number {
  if (k === 0) return 0;
  const r = tail.remaining[back] as number;
  return k * ((k <= (tail.free[r] as number) ? tail.maxPriorityFree : tail.maxPriority)[r] as number);
}

/** ⌈x / d⌉ for whole x and d whose products stay exact doubles. */
function ceilDiv(x: number, d: number): number {
  // the quotient is rounded once, so it is off by at most one
  const q = Math.ceil(x / d);
  if (q * d < x) return q + 1;
  return q > 0 && (q - 1) * d >= x ? q - 1 : q;
}
