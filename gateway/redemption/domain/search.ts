import { Cart, EFFECT_ORDER, effectOrder, type CartState, type PricedEffect } from './cart.ts';
import type { Fen } from './money.ts';
import { filled, mapped, sortStable } from './arrays.ts';
import type { Candidate } from './rules.ts';
import { type Bounded, FLAT_AFTER, FLAT_BEFORE, type Key, SavingBound } from './saving-bound.ts';

/** A benefit that saves something on this purchase on its own. */
export interface Eligible extends Bounded {
  c: Candidate;
  standalone: Fen;
  pointsCost: number;
  consumes: number;
  fx: PricedEffect;
  /** The campaign's priority (higher first when savings tie). */
  priority: number;
}

/** The best combination: its benefits in the order found, in effect order with their savings, and the total. */
export interface Found {
  picked: Eligible[];
  members: Eligible[];
  savings: Fen[];
  saving: Fen;
  /** Whether no two benefits share a ref (then a benefit is told apart from the others by identity). */
  distinctRefs: boolean;
}

/** The fixed order a combination applies in: item-level first, then percent-off, then amount-off. */
export const byEffectOrder = (a: Eligible, b: Eligible): number =>
  effectOrder(a.c.campaign) - effectOrder(b.c.campaign) ||
  b.c.campaign.priority - a.c.campaign.priority ||
  a.c.ref.localeCompare(b.c.ref);

/**
 * Preference, short of its last word (then the refs, by `localeCompare`): bigger saving, then keeping
 * coupons and points, then priority. Sorting benefits that already come in ref order by this alone, stably,
 * gives the same order without comparing a single ref.
 */
const byPreferenceBeforeRef = (a: Eligible, b: Eligible): number =>
  b.standalone - a.standalone || a.consumes - b.consumes || a.pointsCost - b.pointsCost || b.priority - a.priority;

/**
 * The indices of `eligible` stably sorted by preference (the refs compared only when they do not come in
 * order already): a binary insertion sort with the comparison written in, for the usual few dozen benefits.
 */
function preferenceOrder(eligible: readonly Eligible[], inRefOrder: boolean): number[] {
  const compare = (a: number, b: number) => {
    const x = eligible[a] as Eligible;
    const y = eligible[b] as Eligible;
    return byPreferenceBeforeRef(x, y) || (inRefOrder ? 0 : x.c.ref.localeCompare(y.c.ref));
  };
  const order = indices(eligible.length);
  if (order.length > 64) return order.sort(compare);
  for (let i = 1; i < order.length; i++) {
    const item = order[i] as number;
    let lo = 0;
    let hi = i;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(item, order[mid] as number) < 0) hi = mid;
      else lo = mid + 1;
    }
    for (let j = i; j > lo; j--) order[j] = order[j - 1] as number;
    order[lo] = item;
  }
  return order;
}

/** Whether no two neighbours' refs are out of order or equal (for the collator): then all are in ref order. */
function strictlyInRefOrder(eligible: readonly Eligible[]): boolean {
  for (let k = 1; k < eligible.length; k++)
    if ((eligible[k - 1] as Eligible).c.ref.localeCompare((eligible[k] as Eligible).c.ref) >= 0) return false;
  return true;
}

/** Whether `parts` joined with ',' comes before `target` in code-unit order (`<`), without joining them. */
function joinedBefore(parts: readonly string[], target: string): boolean {
  let pos = 0;
  for (let k = 0; k < parts.length; k++) {
    if (k > 0) {
      if (pos >= target.length) return false;
      const c = 44 /* ',' */ - target.charCodeAt(pos++);
      if (c !== 0) return c < 0;
    }
    const part = parts[k] as string;
    for (let j = 0; j < part.length; j++, pos++) {
      if (pos >= target.length) return false;
      const c = part.charCodeAt(j) - target.charCodeAt(pos);
      if (c !== 0) return c < 0;
    }
  }
  return pos < target.length;
}

function indices(n: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(k);
  return out;
}

/**
 * Each benefit's place in effect order, by its place in the search order (`order[i]` is the index in
 * `eligible` of the i-th). Ranking all benefits once with a stable sort orders any subset taken in search
 * order exactly as sorting that subset would: equal ones keep their search order either way.
 */
function effectRanks(eligible: readonly Eligible[], order: readonly number[], inRefOrder: boolean): number[] {
  const n = order.length;
  const rank = filled(n, 0);
  const at = filled(n, 0);
  for (let i = 0; i < n; i++) at[order[i] as number] = i;
  // When the benefits come strictly in ref order and priorities span a short range, a counting sort by
  // effect order and priority keeps the ref order within each bucket, which is the comparison's last word.
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const e of eligible) {
    if (!Number.isSafeInteger(e.priority)) low = Number.NaN;
    low = Math.min(low, e.priority);
    high = Math.max(high, e.priority);
  }
  const span = high - low + 1;
  if (inRefOrder && n > 0 && span >= 1 && span <= 256) {
    const starts = filled((EFFECT_ORDER.amount_off + 1) * span + 1, 0);
    for (const e of eligible) {
      const b = e.fx.order * span + (high - e.priority) + 1;
      starts[b] = (starts[b] as number) + 1;
    }
    for (let b = 1; b < starts.length; b++) starts[b] = (starts[b] as number) + (starts[b - 1] as number);
    for (let k = 0; k < n; k++) {
      const e = eligible[k] as Eligible;
      const b = e.fx.order * span + (high - e.priority);
      rank[at[k] as number] = starts[b] as number;
      starts[b] = (starts[b] as number) + 1;
    }
    return rank;
  }
  const byRank = sortStable(indices(n), (a, b) =>
    byEffectOrder(eligible[order[a] as number] as Eligible, eligible[order[b] as number] as Eligible),
  );
  for (let r = 0; r < n; r++) rank[byRank[r] as number] = r;
  return rank;
}

/**
 * Branch and bound over the eligible benefits, largest standalone saving first. Each effect's saving is
 * monotone in the amount it applies to, so adding a benefit to a set never gains more than its
 * standalone saving: a branch can reach at most its current saving plus the standalone savings of the
 * best few benefits still open (as many as slots remain), and most branches are cut on that bound.
 *
 * The walk, its bound and its tie-breaking are those of the plain recursive search this replaced (kept in
 * test/redemption/select-reference.ts and compared on random purchases): which set wins on equal savings
 * depends on the order sets are met and on the branches that bound cuts, so neither may change. What
 * changed is the cost: a set extends its parent's priced cart instead of being priced from scratch, its
 * tie-break key comes from running sums, nothing is allocated unless it becomes the best, and a set is
 * skipped, with everything below it, when `SavingBound` shows that none of them can beat the best so far.
 * Such a skip changes nothing: the plain search would have walked those sets without taking any.
 */
export function bestCombination(
  eligible: Eligible[],
  cart: Cart,
  maxBenefits: number,
  pointsBalance: number,
  requiredRef: string | undefined,
): Found {
  // Order = preference: the search finds the first best set in this order, which is how ties are settled.
  // The candidates were sorted by id, so the refs usually come in order: then the refs need no comparing.
  const inRefOrder = strictlyInRefOrder(eligible);
  const order = preferenceOrder(eligible, inRefOrder);
  const sorted = mapped(order, (k) => eligible[k] as Eligible);
  const n = sorted.length;
  const prefix = [0];
  let upTo = 0;
  let whole = cart.whole;
  for (const e of sorted) {
    upTo += e.standalone;
    prefix.push(upTo);
    whole &&= e.fx.whole;
  }
  const max = Math.max(1, maxBenefits);
  // a required benefit that cannot save on this purchase at all binds nothing: the caller declines with its reason
  const required = requiredRef !== undefined && eligible.some((e) => e.c.ref === requiredRef) ? requiredRef : undefined;

  const rank = effectRanks(eligible, order, inRefOrder);
  const subtotal = cart.totalFen;
  const bound = new SavingBound(subtotal, sorted, rank, whole);
  const bounded = bound.holds;

  // The path of the walk, by depth d (the set S_d of the first d benefits picked, in `sorted` order):
  // S_d priced in effect order, its members in that order with their savings, and running sums.
  const depth = Math.min(max, n);
  const picked = filled(depth + 1, 0);
  const states: CartState[] = [cart.state()];
  const members: number[][] = [[]];
  const savings: number[][] = [[]];
  const total: number[] = [0];
  const maxRank: number[] = [-1];
  const consumes: number[] = [0];
  const points: number[] = [0];
  const priority: number[] = [0];
  for (let d = 1; d <= depth; d++) {
    members.push(filled(d, 0));
    savings.push(filled(d, 0));
    total.push(0);
    maxRank.push(-1);
    consumes.push(0);
    points.push(0);
    priority.push(0);
  }
  const rest = filled(depth + 1, 0);
  let pickedExclusive = false;

  let best = { saving: 0 as Fen, picked: [] as number[], members: [] as number[], savings: [] as Fen[] };
  const bestKey: Key = { consumes: 0, points: 0, negPriority: -0 };
  // the key of the set being looked at, for the bound (reused: no allocation per look)
  const own: Key = { consumes: 0, points: 0, negPriority: 0 };
  const keyOf = (t: number): Key => {
    own.consumes = consumes[t] as number;
    own.points = points[t] as number;
    own.negPriority = -(priority[t] as number);
    return own;
  };
  // the last word on ties: the refs, sorted and joined (the best's kept; a contender's compared unjoined)
  let bestRefs: string | undefined = '';
  const refs: string[] = [];
  const sortedRefs = (set: readonly number[], size: number): string[] => {
    refs.length = 0;
    for (let k = 0; k < size; k++) {
      const ref = (sorted[set[k] as number] as Eligible).c.ref;
      // insertion in code-unit order, as Array.prototype.sort() orders strings
      let at = refs.length;
      refs.push(ref);
      for (; at > 0 && ref < (refs[at - 1] as string); at--) refs[at] = refs[at - 1] as string;
      refs[at] = ref;
    }
    return refs;
  };

  /** Prices S_d plus benefit `e` into slot d + 1, starting from the longest prefix S_j it extends in effect order. */
  const price = (d: number, e: number): void => {
    let j = d;
    let minRest = rank[e] as number;
    while ((maxRank[j] as number) >= minRest) {
      j--;
      minRest = Math.min(minRest, rank[picked[j] as number] as number);
    }
    const t = d + 1;
    if (states.length <= t) states.push(cart.state());
    const state = states[t] as CartState;
    const into = members[t] as number[];
    const saved = savings[t] as number[];
    Cart.copy(states[j] as CartState, state);
    const fromMembers = members[j] as number[];
    const fromSavings = savings[j] as number[];
    for (let k = 0; k < j; k++) {
      into[k] = fromMembers[k] as number;
      saved[k] = fromSavings[k] as number;
    }
    let count = 0;
    for (let k = j; k <= d; k++) {
      const m = k < d ? (picked[k] as number) : e;
      let at = count++;
      for (; at > 0 && (rank[rest[at - 1] as number] as number) > (rank[m] as number); at--)
        rest[at] = rest[at - 1] as number;
      rest[at] = m;
    }
    let sum = total[j] as number;
    for (let k = 0; k < count; k++) {
      const m = rest[k] as number;
      const s = cart.apply(state, (sorted[m] as Eligible).fx);
      sum += s;
      into[j + k] = m;
      saved[j + k] = s;
    }
    total[t] = sum;
    maxRank[t] = Math.max(maxRank[d] as number, rank[e] as number);
  };

  const admissible = (t: number): boolean => {
    if (required === undefined) return true;
    const into = members[t] as number[];
    for (let k = 0; k < t; k++)
      if ((sorted[into[k] as number] as Eligible).c.ref === required)
        return ((savings[t] as number[])[k] as number) > 0;
    return false;
  };

  /** Whether S_t's tie-break key beats the best's: fewer coupons, fewer points, more priority, then ids. */
  const keyBetter = (t: number): boolean => {
    const c = consumes[t] as number;
    if (c !== bestKey.consumes) return c < bestKey.consumes;
    const p = points[t] as number;
    if (p !== bestKey.points) return p < bestKey.points;
    const q = -(priority[t] as number);
    if (q !== bestKey.negPriority) return q < bestKey.negPriority;
    bestRefs ??= sortedRefs(best.picked, best.picked.length).join(',');
    return joinedBefore(sortedRefs(picked, t), bestRefs);
  };

  const keep = (t: number): void => {
    const set: number[] = [];
    for (let k = 0; k < t; k++) set.push(picked[k] as number);
    best = {
      saving: total[t] as number,
      picked: set,
      members: (members[t] as number[]).slice(0, t),
      savings: (savings[t] as number[]).slice(0, t),
    };
    bestKey.consumes = consumes[t] as number;
    bestKey.points = points[t] as number;
    bestKey.negPriority = -(priority[t] as number);
    bestRefs = undefined;
  };

  const compatible = (e: number, d: number): boolean => {
    const x = sorted[e] as Eligible;
    const c = x.c.campaign;
    if (d > 0 && (c.exclusive || pickedExclusive)) return false;
    for (let k = 0; k < d; k++) {
      const p = (sorted[picked[k] as number] as Eligible).c.campaign;
      if (p.category === c.category || p.id === c.id) return false;
    }
    return (points[d] as number) + x.pointsCost <= pointsBalance;
  };

  // The recursion of the plain search, with its calls for "leave benefit i out" turned into a loop.
  const walk = (from: number, d: number, pickedSaving: Fen): void => {
    if (d >= max) return;
    const slots = max - d;
    // Once a flat saving's bound is below the best, so is that of every later one on the same side of
    // the percent-offs: it saves no more alone, and flats on one side add up in any order.
    let beforeHopeless = false;
    let afterHopeless = false;
    // after a set is skipped on the bound, whether the rest of this loop can be skipped too
    let tryRest = false;
    for (let i = from; i < n; i++) {
      // a branch that can at most tie is cut: walking every tie costs 100× on members with many equal
      // coupons; the preference order of `sorted` already settles most ties
      const reach = (prefix[Math.min(n, i + slots)] ?? 0) - (prefix[i] ?? 0);
      if (pickedSaving + reach <= best.saving) return;
      if (tryRest) {
        tryRest = false;
        if (!bound.canWin(members[d] as number[], d, -1, i, slots, best.saving, bestKey, keyOf(d))) return;
      }
      const leaf = slots === 1 || i + 1 >= n;
      const e = sorted[i] as Eligible;
      const s = e.side;
      if (leaf && bounded && ((s === FLAT_BEFORE && beforeHopeless) || (s === FLAT_AFTER && afterHopeless))) continue;
      if (!compatible(i, d)) continue;
      picked[d] = i;
      const t = d + 1;
      consumes[t] = (consumes[d] as number) + e.consumes;
      points[t] = (points[d] as number) + e.pointsCost;
      priority[t] = (priority[d] as number) + e.priority;
      if (bounded) {
        if (leaf) {
          const most = bound.chain(members[d] as number[], d, i);
          if (most < best.saving) {
            if (s === FLAT_BEFORE) beforeHopeless = true;
            else if (s === FLAT_AFTER) afterHopeless = true;
            tryRest = true;
            continue;
          }
          if (most === best.saving && !keyBetter(t)) {
            tryRest = true;
            continue;
          }
        } else if (!bound.canWin(members[d] as number[], d, i, i + 1, slots - 1, best.saving, bestKey, keyOf(t))) {
          tryRest = true;
          continue;
        }
      }
      price(d, i);
      const saving = total[t] as number;
      const better = saving !== best.saving ? saving > best.saving : keyBetter(t);
      if (better && admissible(t)) keep(t);
      if (!leaf) {
        const wasExclusive = pickedExclusive;
        pickedExclusive = wasExclusive || e.c.campaign.exclusive;
        walk(i + 1, t, saving);
        pickedExclusive = wasExclusive;
      }
    }
  };
  walk(0, 0, 0);

  return {
    picked: mapped(best.picked, (s) => sorted[s] as Eligible),
    members: mapped(best.members, (s) => sorted[s] as Eligible),
    savings: best.savings,
    saving: best.saving,
    distinctRefs: inRefOrder,
  };
}
