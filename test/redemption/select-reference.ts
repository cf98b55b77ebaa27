/**
 * The best-benefit selection exactly as it was before the fast search (commit 4f73192: the copy-on-apply
 * cart and the allocating branch and bound), kept as the oracle the property tests compare the
 * production selection with: every field of the answer, not only the saving, must stay the same. The
 * local time and the rules are copies of theirs too (they were rewritten for speed in the same change).
 */
import type { LocalTime } from '../../gateway/redemption/domain/local-time.ts';
import { percentOf, type Fen } from '../../gateway/redemption/domain/money.ts';
import type { Campaign, Purchase } from '../../gateway/redemption/domain/model.ts';
import { accruePoints } from '../../gateway/redemption/domain/points.ts';
import { reject, type ReasonCode, type Rejection } from '../../gateway/redemption/domain/reasons.ts';
import type { Candidate, RuleContext } from '../../gateway/redemption/domain/rules.ts';
import type { Selection, SelectionInput } from '../../gateway/redemption/domain/select.ts';
import { memberUseKey, periodKey, type UsageFacts } from '../../gateway/redemption/domain/usage-facts.ts';

// ---- local-time.ts as it was ----
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function localTime(atMs: number, tz: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(atMs))) parts[p.type] = p.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const weekday = WEEKDAYS[parts.weekday ?? ''] ?? 1;
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return {
    date,
    year,
    month,
    weekday,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
    isoWeek: isoWeekKey(year, month, day, weekday),
  };
}

/** ISO 8601 week: the week belongs to the year of its Thursday. */
function isoWeekKey(year: number, month: number, day: number, weekday: number): string {
  const dayMs = Date.UTC(year, month - 1, day);
  const thursday = new Date(dayMs + (4 - weekday) * 86_400_000);
  const weekYear = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 / 7) + 1;
  return `${weekYear}-W${String(week).padStart(2, '0')}`;
}

/** Whole days between two local dates (YYYY-MM-DD). */
function daysBetween(fromDate: string, toDate: string): number {
  const parse = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
  return Math.round((parse(toDate) - parse(fromDate)) / 86_400_000);
}

/** "07:30" → 450 */
function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

// ---- rules.ts as it was ----
/** A named predicate: undefined when satisfied, else the reason it is not. */
interface Rule {
  name: string;
  check(c: Candidate, ctx: RuleContext): ReasonCode | undefined;
}

const INSTANCE_USAGES = new Set(['single_use', 'period_card', 'punch_card']);

/** The rules, in the order they are checked; the first failing one names the reason. */
const RULES: readonly Rule[] = [
  {
    name: 'instance-state',
    check({ campaign, instance }, { now }) {
      if (INSTANCE_USAGES.has(campaign.usage.type) && !instance) return 'NEEDS_INSTANCE';
      if (!instance) return undefined;
      if (instance.status === 'used') return 'INSTANCE_USED';
      if (instance.status === 'revoked') return 'INSTANCE_REVOKED';
      if (instance.status === 'expired' || (instance.expiresAt !== undefined && now >= instance.expiresAt))
        return 'INSTANCE_EXPIRED';
      if (instance.usesLeft !== undefined && instance.usesLeft <= 0) return 'NO_USES_LEFT';
      return undefined;
    },
  },
  {
    name: 'validity-window',
    check({ campaign: { rules } }, { now }) {
      if (rules.validFrom !== undefined && now < rules.validFrom) return 'NOT_YET_VALID';
      if (rules.validTo !== undefined && now >= rules.validTo) return 'CAMPAIGN_ENDED';
      return undefined;
    },
  },
  {
    name: 'day-of-week',
    check: ({ campaign: { rules } }, { local }) =>
      rules.daysOfWeek && !rules.daysOfWeek.includes(local.weekday) ? 'WRONG_DAY' : undefined,
  },
  {
    name: 'hours',
    check({ campaign: { rules } }, { local }) {
      if (!rules.hours) return undefined;
      const m = local.minuteOfDay;
      // a window like 22:00–02:00 wraps past midnight
      const inside = rules.hours.some(({ from, to }) => {
        const a = minutesOf(from);
        const b = minutesOf(to);
        return a <= b ? m >= a && m < b : m >= a || m < b;
      });
      return inside ? undefined : 'OUTSIDE_HOURS';
    },
  },
  {
    name: 'merchant-scope',
    check: ({ campaign: { rules } }, { purchase }) =>
      rules.merchants && !rules.merchants.includes(purchase.merchantId) ? 'MERCHANT_NOT_IN_SCOPE' : undefined,
  },
  {
    name: 'device-scope',
    check: ({ campaign: { rules } }, { purchase }) =>
      rules.devices && (!purchase.deviceId || !rules.devices.includes(purchase.deviceId))
        ? 'DEVICE_NOT_IN_SCOPE'
        : undefined,
  },
  {
    name: 'device-kind-scope',
    check: ({ campaign: { rules } }, { purchase }) =>
      rules.deviceKinds && (!purchase.deviceKind || !rules.deviceKinds.includes(purchase.deviceKind))
        ? 'DEVICE_KIND_NOT_IN_SCOPE'
        : undefined,
  },
  {
    name: 'product-scope',
    check({ campaign }, { purchase }) {
      const scoped = campaign.rules.products;
      const needsItems =
        scoped !== undefined || ['nth_item', 'fixed_price', 'free_item'].includes(campaign.effect.type);
      if (!needsItems) return undefined;
      const hit = purchase.items.some((i) => !scoped || scoped.includes(i.productId));
      return hit ? undefined : 'NO_ELIGIBLE_PRODUCT';
    },
  },
  {
    name: 'min-spend',
    check: ({ campaign: { rules } }, { subtotalFen }) =>
      rules.minSpendFen !== undefined && subtotalFen < rules.minSpendFen ? 'MIN_SPEND_NOT_MET' : undefined,
  },
  {
    name: 'tier',
    check: ({ campaign: { rules } }, { member }) =>
      rules.tiers && !rules.tiers.includes(member.tier) ? 'TIER_NOT_ELIGIBLE' : undefined,
  },
  {
    name: 'segment',
    check: ({ campaign: { rules } }, { member }) =>
      rules.segments && !rules.segments.some((s) => member.segments.includes(s)) ? 'SEGMENT_NOT_ELIGIBLE' : undefined,
  },
  {
    name: 'usage-kind',
    check({ campaign, instance }, { member, local, usage, now }) {
      const u = campaign.usage;
      if (u.type === 'period_card' && instance) {
        const used = usage.instanceUses[`${instance.id}|${periodKey(u.period, local)}`] ?? 0;
        return used >= u.usesPerPeriod ? 'PERIOD_USES_EXHAUSTED' : undefined;
      }
      if (u.type === 'birthday_gift') {
        if (member.birthdayMonth !== local.month) return 'NOT_BIRTHDAY_MONTH';
        const last = usage.lastUseAt[campaign.id];
        // used within the last 11 months = used in this birthday month already (a year is never shorter)
        return last !== undefined && now - last < 330 * 86_400_000 ? 'BIRTHDAY_GIFT_USED' : undefined;
      }
      if (u.type === 'welcome_back') {
        if (!member.lastActiveDate || daysBetween(member.lastActiveDate, local.date) < u.inactiveDays)
          return 'NOT_INACTIVE_LONG_ENOUGH';
        const last = usage.lastUseAt[campaign.id];
        return last !== undefined && last >= Date.parse(`${member.lastActiveDate}T00:00:00Z`) - 86_400_000
          ? 'WELCOME_BACK_USED'
          : undefined;
      }
      if (u.type === 'points_exchange' && usage.pointsBalance < u.pointsCost) return 'NOT_ENOUGH_POINTS';
      return undefined;
    },
  },
  {
    name: 'member-limit',
    check({ campaign }, { local, usage }) {
      const lim = campaign.rules.perMemberLimit;
      if (!lim) return undefined;
      return (usage.memberUses[memberUseKey(campaign, lim.period, local)] ?? 0) >= lim.count
        ? 'MEMBER_LIMIT_REACHED'
        : undefined;
    },
  },
  {
    name: 'budget',
    check({ campaign }, { usage }) {
      const b = campaign.rules.budget;
      if (!b) return undefined;
      const used = usage.budgets[campaign.id] ?? { count: 0, amountFen: 0 };
      if (b.count !== undefined && used.count >= b.count) return 'BUDGET_EXHAUSTED';
      if (b.amountFen !== undefined && used.amountFen >= b.amountFen) return 'BUDGET_EXHAUSTED';
      return undefined;
    },
  },
];

/** The first rule a candidate fails, with its name (for debug logs), or undefined when eligible. */
function firstFailure(c: Candidate, ctx: RuleContext): { rule: string; code: ReasonCode } | undefined {
  for (const rule of RULES) {
    const code = rule.check(c, ctx);
    if (code) return { rule: rule.name, code };
  }
  return undefined;
}

// ---- cart.ts as it was ----
/** One unit of a product with its price after item-level discounts so far. */
interface Unit {
  productId: string;
  priceFen: Fen;
}

/**
 * The running state of a purchase while benefits apply: item-level effects lower unit prices,
 * order-level effects lower the total. Copy-on-apply, so trying combinations never mutates a shared cart.
 */
class Cart {
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
function effectOrder(c: Campaign): number {
  return { nth_item: 0, fixed_price: 1, free_item: 2, percent_off: 3, amount_off: 4 }[c.effect.type];
}

interface AppliedBenefit {
  ref: string;
  campaignId: string;
  instanceId: string | undefined;
  name: { zh: string; en: string };
  category: string;
  savingFen: Fen;
  pointsCost: number;
}

interface Eligible {
  c: Candidate;
  standalone: Fen;
  cap: Fen;
  pointsCost: number;
  consumes: number;
}

/** Every benefit the member could use for this purchase: campaign-level ones and issued instances. */
function candidatesFor(input: SelectionInput): Candidate[] {
  const out: Candidate[] = [];
  for (const c of [...input.campaigns.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    if (['always_on', 'points_exchange', 'birthday_gift', 'welcome_back'].includes(c.usage.type))
      out.push({ ref: `c:${c.id}`, campaign: c, instance: undefined });
  }
  for (const i of [...input.instances].sort((a, b) => a.id.localeCompare(b.id))) {
    const campaign = input.campaigns.get(i.campaignId);
    if (campaign && i.memberId === input.member.id) out.push({ ref: `i:${i.id}`, campaign, instance: i });
  }
  return out;
}

/**
 * Best-benefit selection (无感核销): of all the benefits the member holds, the combination that saves
 * the most under the stacking rules — at most one per category, an exclusive one alone, at most
 * `maxBenefitsPerPurchase`, points within the balance — chosen deterministically, with a reason for
 * every benefit left out. Pure: same input, same answer.
 */
export function referenceSelectBenefits(input: SelectionInput): Selection {
  const cart = Cart.of(input.purchase);
  const subtotalFen = cart.totalFen;
  const ctx: RuleContext = {
    member: input.member,
    purchase: input.purchase,
    subtotalFen,
    now: input.now,
    local: localTime(input.now, input.timezone),
    usage: input.usage,
  };
  const notApplied: Rejection[] = [];
  const eligible: Eligible[] = [];
  for (const c of candidatesFor(input)) {
    const failed = firstFailure(c, ctx);
    if (failed) {
      notApplied.push(reject(c, failed.code));
      continue;
    }
    const cap = budgetLeft(c.campaign, input.usage);
    const standalone = cart.apply(c.campaign, cap).savingFen;
    if (standalone <= 0) {
      notApplied.push(reject(c, noSavingCode(c.campaign)));
      continue;
    }
    eligible.push({
      c,
      standalone,
      cap,
      pointsCost: c.campaign.usage.type === 'points_exchange' ? c.campaign.usage.pointsCost : 0,
      consumes: c.instance ? 1 : 0,
    });
  }
  const best = withoutZeroSavings(bestCombination(eligible, cart, input), cart);
  const chosen = new Set(best.picked.map((e) => e.c.ref));
  for (const e of eligible)
    if (!chosen.has(e.c.ref))
      notApplied.push(
        reject(
          e.c,
          best.zero.has(e.c.ref) ? noSavingCode(e.c.campaign) : whyLeftOut(e, best, input.maxBenefitsPerPurchase, cart),
        ),
      );
  const payableFen = Math.max(0, subtotalFen - best.saving);
  const pointsCost = best.picked.reduce((s, e) => s + e.pointsCost, 0);
  return {
    subtotalFen,
    savingFen: best.saving,
    payableFen,
    applied: best.applied,
    notApplied,
    pointsCost,
    pointsEarned: input.accrual ? accruePoints(payableFen, input.member.tier, input.accrual) : 0,
  };
}

const noSavingCode = (c: Campaign): ReasonCode => (c.effect.type === 'amount_off' ? 'THRESHOLD_NOT_MET' : 'NO_SAVING');

/**
 * A benefit that saves nothing in the chosen combination (a 满减 threshold that the percent-off applied
 * first pushed the bill under) is dropped: it must never use up a coupon, a period use or points for
 * nothing. A benefit that gives nothing leaves the cart as it was, so the others save the same without it.
 */
function withoutZeroSavings(
  best: { picked: Eligible[]; applied: AppliedBenefit[]; saving: Fen },
  cart: Cart,
): { picked: Eligible[]; applied: AppliedBenefit[]; saving: Fen; zero: Set<string> } {
  const zero = new Set<string>();
  let current = best;
  for (;;) {
    const empty = new Set(current.applied.filter((a) => a.savingFen <= 0).map((a) => a.ref));
    if (empty.size === 0) return { ...current, zero };
    for (const ref of empty) zero.add(ref);
    const picked = current.picked.filter((e) => !empty.has(e.c.ref));
    current = { picked, ...evaluate(picked, cart) };
  }
}

function budgetLeft(c: Campaign, usage: UsageFacts): Fen {
  const b = c.rules.budget?.amountFen;
  return b === undefined ? Number.MAX_SAFE_INTEGER : Math.max(0, b - (usage.budgets[c.id]?.amountFen ?? 0));
}

/** Applies a combination in the fixed order (item-level first, then percent-off, then amount-off). */
function evaluate(combo: Eligible[], cart: Cart): { saving: Fen; applied: AppliedBenefit[] } {
  const ordered = [...combo].sort(
    (a, b) =>
      effectOrder(a.c.campaign) - effectOrder(b.c.campaign) ||
      b.c.campaign.priority - a.c.campaign.priority ||
      a.c.ref.localeCompare(b.c.ref),
  );
  let current = cart;
  const applied: AppliedBenefit[] = [];
  let saving = 0;
  for (const e of ordered) {
    const r = current.apply(e.c.campaign, e.cap);
    current = r.cart;
    saving += r.savingFen;
    applied.push({
      ref: e.c.ref,
      campaignId: e.c.campaign.id,
      instanceId: e.c.instance?.id,
      name: e.c.campaign.name,
      category: e.c.campaign.category,
      savingFen: r.savingFen,
      pointsCost: e.pointsCost,
    });
  }
  return { saving, applied };
}

/** Lower is better when savings tie: fewer coupons used up, fewer points spent, higher priority, then ids. */
function tieKey(combo: Eligible[]): [number, number, number, string] {
  return [
    combo.reduce((s, e) => s + e.consumes, 0),
    combo.reduce((s, e) => s + e.pointsCost, 0),
    -combo.reduce((s, e) => s + e.c.campaign.priority, 0),
    combo
      .map((e) => e.c.ref)
      .sort()
      .join(','),
  ];
}

function better(
  a: { saving: Fen; key: [number, number, number, string] },
  b: { saving: Fen; key: [number, number, number, string] },
): boolean {
  if (a.saving !== b.saving) return a.saving > b.saving;
  for (let i = 0; i < 3; i++) if (a.key[i] !== b.key[i]) return (a.key[i] as number) < (b.key[i] as number);
  return a.key[3] < b.key[3];
}

/**
 * Branch and bound over the eligible benefits, largest standalone saving first. Each effect's saving is
 * monotone in the amount it applies to, so adding a benefit to a set never gains more than its
 * standalone saving: a branch can reach at most its current saving plus the standalone savings of the
 * best few benefits still open (as many as slots remain), and most branches are cut on that bound.
 */
function bestCombination(eligible: Eligible[], cart: Cart, input: SelectionInput) {
  // Order = preference: bigger saving, then keeping coupons and points, then priority, then id. The
  // search finds the first best set in this order, which is how ties are settled.
  const sorted = [...eligible].sort(
    (a, b) =>
      b.standalone - a.standalone ||
      a.consumes - b.consumes ||
      a.pointsCost - b.pointsCost ||
      b.c.campaign.priority - a.c.campaign.priority ||
      a.c.ref.localeCompare(b.c.ref),
  );
  const prefix = [0];
  for (const e of sorted) prefix.push((prefix.at(-1) ?? 0) + e.standalone);
  const topSum = (from: number, k: number) => (prefix[Math.min(sorted.length, from + k)] ?? 0) - (prefix[from] ?? 0);
  let best = { saving: 0, applied: [] as AppliedBenefit[], picked: [] as Eligible[], key: tieKey([]) };
  const max = Math.max(1, input.maxBenefitsPerPurchase);
  // a required benefit that cannot save on this purchase at all binds nothing: the caller declines with its reason
  const required =
    input.required !== undefined && eligible.some((e) => e.c.ref === input.required) ? input.required : undefined;
  const walk = (i: number, picked: Eligible[], pickedSaving: Fen) => {
    if (i >= sorted.length || picked.length >= max) return;
    // a branch that can at most tie is cut: walking every tie costs 100× on members with many equal
    // coupons; the preference order of `sorted` already settles most ties
    if (pickedSaving + topSum(i, max - picked.length) <= best.saving) return;
    const e = sorted[i] as Eligible;
    if (compatible(e, picked, input.usage.pointsBalance)) {
      const next = [...picked, e];
      const r = evaluate(next, cart);
      const cand = { saving: r.saving, applied: r.applied, picked: next, key: tieKey(next) };
      const admissible = required === undefined || (r.applied.find((a) => a.ref === required)?.savingFen ?? 0) > 0;
      if (admissible && better(cand, best)) best = cand;
      walk(i + 1, next, r.saving);
    }
    walk(i + 1, picked, pickedSaving);
  };
  walk(0, [], 0);
  return best;
}

function compatible(e: Eligible, picked: Eligible[], points: number): boolean {
  if (picked.length > 0 && (e.c.campaign.exclusive || picked.some((p) => p.c.campaign.exclusive))) return false;
  if (picked.some((p) => p.c.campaign.category === e.c.campaign.category || p.c.campaign.id === e.c.campaign.id))
    return false;
  return picked.reduce((s, p) => s + p.pointsCost, 0) + e.pointsCost <= points;
}

function whyLeftOut(e: Eligible, best: { picked: Eligible[]; saving: Fen }, max: number, cart: Cart): ReasonCode {
  const { picked } = best;
  if (picked.some((p) => p.c.campaign.exclusive) || (e.c.campaign.exclusive && picked.length > 0))
    return 'EXCLUSIVE_CONFLICT';
  if (picked.some((p) => p.c.campaign.category === e.c.campaign.category)) return 'CATEGORY_CONFLICT';
  if (picked.length >= max) return 'STACKING_LIMIT';
  // it would give nothing on top of the others (their discounts took the bill under its threshold)
  const own = evaluate([...picked, e], cart).applied.find((a) => a.ref === e.c.ref)?.savingFen ?? 0;
  return own <= 0 ? noSavingCode(e.c.campaign) : 'NOT_BEST';
}

export { firstFailure as referenceFirstFailure, localTime as referenceLocalTime };
