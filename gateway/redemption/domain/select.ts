import { Cart, effectOrder } from './cart.ts';
import { localTime } from './local-time.ts';
import type { Fen } from './money.ts';
import type { Accrual, BenefitInstance, Campaign, Member, Purchase } from './model.ts';
import { accruePoints } from './points.ts';
import { reject, type ReasonCode, type Rejection } from './reasons.ts';
import { firstFailure, type Candidate, type RuleContext } from './rules.ts';
import type { UsageFacts } from './usage-facts.ts';

export interface SelectionInput {
  member: Member;
  purchase: Purchase;
  campaigns: ReadonlyMap<string, Campaign>;
  /** The member's issued benefits (any status: the reason a used coupon does not apply is reported too). */
  instances: readonly BenefitInstance[];
  usage: UsageFacts;
  now: number;
  timezone: string;
  maxBenefitsPerPurchase: number;
  accrual?: Accrual | undefined;
  /**
   * A benefit that must be in the combination, with a saving (`i:<instance>`): the coupon a resident
   * presented by its code [FWP-11.8]. The best combination containing it is chosen, never one without it.
   */
  required?: string | undefined;
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

/** The decision for one purchase, with its explanation. */
export interface Selection {
  subtotalFen: Fen;
  savingFen: Fen;
  payableFen: Fen;
  applied: AppliedBenefit[];
  notApplied: Rejection[];
  pointsCost: number;
  pointsEarned: number;
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
export function selectBenefits(input: SelectionInput): Selection {
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
