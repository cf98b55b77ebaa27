import { Cart } from './cart.ts';
import { localTime } from './local-time.ts';
import type { Fen } from './money.ts';
import type { Accrual, BenefitInstance, Campaign, Member, Purchase } from './model.ts';
import { accruePoints } from './points.ts';
import { reject, type ReasonCode, type Rejection } from './reasons.ts';
import { firstFailure, type Candidate, type RuleContext } from './rules.ts';
import { sideOf } from './saving-bound.ts';
import { bestCombination, byEffectOrder, type Eligible } from './search.ts';
import { mapped, sortById } from './arrays.ts';
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

/** Usages a member holds without an issued instance. */
const CAMPAIGN_LEVEL: readonly string[] = ['always_on', 'points_exchange', 'birthday_gift', 'welcome_back'];

/** Every benefit the member could use for this purchase: campaign-level ones and issued instances. */
function candidatesFor(input: SelectionInput): Candidate[] {
  const out: Candidate[] = [];
  // filtered before sorting, which keeps the same ones in the same order (the sort is stable)
  const held: Campaign[] = [];
  for (const c of input.campaigns.values()) if (CAMPAIGN_LEVEL.includes(c.usage.type)) held.push(c);
  for (const c of sortById(held)) out.push({ ref: `c:${c.id}`, campaign: c, instance: undefined });
  for (const i of sortById([...input.instances])) {
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
    const fx = cart.price(c.campaign, cap);
    const standalone = cart.alone(fx);
    if (standalone <= 0) {
      notApplied.push(reject(c, noSavingCode(c.campaign)));
      continue;
    }
    eligible.push({
      c,
      standalone,
      pointsCost: c.campaign.usage.type === 'points_exchange' ? c.campaign.usage.pointsCost : 0,
      consumes: c.instance ? 1 : 0,
      fx,
      priority: c.campaign.priority,
      side: sideOf(fx.order),
      percent: fx.percent,
    });
  }
  const found = bestCombination(
    eligible,
    cart,
    input.maxBenefitsPerPurchase,
    input.usage.pointsBalance,
    input.required,
  );
  const applied = mapped(found.members, (e, k) => appliedOf(e, found.savings[k] as Fen));
  const best = withoutZeroSavings({ picked: found.picked, applied, saving: found.saving }, cart);
  const anyExclusive = best.picked.some((p) => p.c.campaign.exclusive);
  for (const e of eligible)
    if (!(found.distinctRefs ? best.picked.includes(e) : isPicked(best.picked, e)))
      notApplied.push(
        reject(
          e.c,
          best.zero.has(e.c.ref)
            ? noSavingCode(e.c.campaign)
            : whyLeftOut(e, best.picked, anyExclusive, input.maxBenefitsPerPurchase, cart),
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

interface Best {
  picked: Eligible[];
  applied: AppliedBenefit[];
  saving: Fen;
}

/**
 * A benefit that saves nothing in the chosen combination (a 满减 threshold that the percent-off applied
 * first pushed the bill under) is dropped: it must never use up a coupon, a period use or points for
 * nothing. A benefit that gives nothing leaves the cart as it was, so the others save the same without it.
 */
function withoutZeroSavings(best: Best, cart: Cart): Best & { zero: Set<string> } {
  const zero = new Set<string>();
  let current = best;
  for (;;) {
    if (current.applied.every((a) => !(a.savingFen <= 0)))
      return { picked: current.picked, applied: current.applied, saving: current.saving, zero };
    const empty = new Set(current.applied.filter((a) => a.savingFen <= 0).map((a) => a.ref));
    for (const ref of empty) zero.add(ref);
    const picked = current.picked.filter((e) => !empty.has(e.c.ref));
    const { saving, applied } = evaluate(picked, cart);
    current = { picked, applied, saving };
  }
}

function budgetLeft(c: Campaign, usage: UsageFacts): Fen {
  const b = c.rules.budget?.amountFen;
  return b === undefined ? Number.MAX_SAFE_INTEGER : Math.max(0, b - (usage.budgets[c.id]?.amountFen ?? 0));
}

function appliedOf(e: Eligible, savingFen: Fen): AppliedBenefit {
  return {
    ref: e.c.ref,
    campaignId: e.c.campaign.id,
    instanceId: e.c.instance?.id,
    name: e.c.campaign.name,
    category: e.c.campaign.category,
    savingFen,
    pointsCost: e.pointsCost,
  };
}

/** Applies a combination in the fixed order (item-level first, then percent-off, then amount-off). */
function evaluate(combo: Eligible[], cart: Cart): { saving: Fen; applied: AppliedBenefit[] } {
  const state = cart.state();
  const applied: AppliedBenefit[] = [];
  let saving = 0;
  for (const e of [...combo].sort(byEffectOrder)) {
    const s = cart.apply(state, e.fx);
    saving += s;
    applied.push(appliedOf(e, s));
  }
  return { saving, applied };
}

/** Whether a benefit with `e`'s ref was picked (two may share one: then the picked one's twin counts too). */
function isPicked(picked: readonly Eligible[], e: Eligible): boolean {
  for (const p of picked) if (p.c.ref === e.c.ref) return true;
  return false;
}

function whyLeftOut(e: Eligible, picked: Eligible[], anyExclusive: boolean, max: number, cart: Cart): ReasonCode {
  if (anyExclusive || (e.c.campaign.exclusive && picked.length > 0)) return 'EXCLUSIVE_CONFLICT';
  for (const p of picked) if (p.c.campaign.category === e.c.campaign.category) return 'CATEGORY_CONFLICT';
  if (picked.length >= max) return 'STACKING_LIMIT';
  // it would give nothing on top of the others (their discounts took the bill under its threshold)
  const own = evaluate([...picked, e], cart).applied.find((a) => a.ref === e.c.ref)?.savingFen ?? 0;
  return own <= 0 ? noSavingCode(e.c.campaign) : 'NOT_BEST';
}
