import { daysBetween, minutesOf, type LocalTime } from './local-time.ts';
import type { BenefitInstance, Campaign, Member, Purchase } from './model.ts';
import type { ReasonCode } from './reasons.ts';
import { memberUseKey, periodKey, type UsageFacts } from './usage-facts.ts';

/** Everything a rule may look at. */
export interface RuleContext {
  member: Member;
  purchase: Purchase;
  subtotalFen: number;
  now: number;
  local: LocalTime;
  usage: UsageFacts;
}

export interface Candidate {
  /** "c:<campaignId>" for campaign-level benefits, "i:<instanceId>" for issued ones. */
  ref: string;
  campaign: Campaign;
  instance: BenefitInstance | undefined;
}

const INSTANCE_USAGES = new Set(['single_use', 'period_card', 'punch_card']);
const ITEM_EFFECTS: readonly string[] = ['nth_item', 'fixed_price', 'free_item'];

/**
 * The first rule a candidate fails, with its name (for debug logs), or undefined when eligible. The rules
 * are checked in this order, and the first failing one names the reason. One straight function rather
 * than a table of predicates: it runs for every benefit a member holds on every decision.
 */
export function firstFailure(c: Candidate, ctx: RuleContext): { rule: string; code: ReasonCode } | undefined {
  const { campaign, instance } = c;
  const { now, local, purchase, member, usage } = ctx;

  // instance-state
  if (INSTANCE_USAGES.has(campaign.usage.type) && !instance) return fail('instance-state', 'NEEDS_INSTANCE');
  if (instance) {
    if (instance.status === 'used') return fail('instance-state', 'INSTANCE_USED');
    if (instance.status === 'revoked') return fail('instance-state', 'INSTANCE_REVOKED');
    if (instance.status === 'expired' || (instance.expiresAt !== undefined && now >= instance.expiresAt))
      return fail('instance-state', 'INSTANCE_EXPIRED');
    if (instance.usesLeft !== undefined && instance.usesLeft <= 0) return fail('instance-state', 'NO_USES_LEFT');
  }

  const rules = campaign.rules;
  // validity-window
  if (rules.validFrom !== undefined && now < rules.validFrom) return fail('validity-window', 'NOT_YET_VALID');
  if (rules.validTo !== undefined && now >= rules.validTo) return fail('validity-window', 'CAMPAIGN_ENDED');

  if (rules.daysOfWeek && !rules.daysOfWeek.includes(local.weekday)) return fail('day-of-week', 'WRONG_DAY');

  if (rules.hours) {
    const m = local.minuteOfDay;
    let inside = false;
    for (const { from, to } of rules.hours) {
      const a = minutesOf(from);
      const b = minutesOf(to);
      // a window like 22:00–02:00 wraps past midnight
      if (a <= b ? m >= a && m < b : m >= a || m < b) {
        inside = true;
        break;
      }
    }
    if (!inside) return fail('hours', 'OUTSIDE_HOURS');
  }

  if (rules.merchants && !rules.merchants.includes(purchase.merchantId))
    return fail('merchant-scope', 'MERCHANT_NOT_IN_SCOPE');
  if (rules.devices && (!purchase.deviceId || !rules.devices.includes(purchase.deviceId)))
    return fail('device-scope', 'DEVICE_NOT_IN_SCOPE');
  if (rules.deviceKinds && (!purchase.deviceKind || !rules.deviceKinds.includes(purchase.deviceKind)))
    return fail('device-kind-scope', 'DEVICE_KIND_NOT_IN_SCOPE');

  // product-scope
  const scoped = rules.products;
  if (scoped !== undefined || ITEM_EFFECTS.includes(campaign.effect.type)) {
    let hit = false;
    for (const i of purchase.items)
      if (!scoped || scoped.includes(i.productId)) {
        hit = true;
        break;
      }
    if (!hit) return fail('product-scope', 'NO_ELIGIBLE_PRODUCT');
  }

  if (rules.minSpendFen !== undefined && ctx.subtotalFen < rules.minSpendFen)
    return fail('min-spend', 'MIN_SPEND_NOT_MET');
  if (rules.tiers && !rules.tiers.includes(member.tier)) return fail('tier', 'TIER_NOT_ELIGIBLE');
  if (rules.segments && !rules.segments.some((s) => member.segments.includes(s)))
    return fail('segment', 'SEGMENT_NOT_ELIGIBLE');

  const kind = usageKind(c, ctx);
  if (kind) return fail('usage-kind', kind);

  const lim = rules.perMemberLimit;
  if (lim && (usage.memberUses[memberUseKey(campaign, lim.period, local)] ?? 0) >= lim.count)
    return fail('member-limit', 'MEMBER_LIMIT_REACHED');

  const b = rules.budget;
  if (b) {
    const used = usage.budgets[campaign.id] ?? { count: 0, amountFen: 0 };
    if (b.count !== undefined && used.count >= b.count) return fail('budget', 'BUDGET_EXHAUSTED');
    if (b.amountFen !== undefined && used.amountFen >= b.amountFen) return fail('budget', 'BUDGET_EXHAUSTED');
  }
  return undefined;
}

function fail(rule: string, code: ReasonCode): { rule: string; code: ReasonCode } {
  return { rule, code };
}

/**
 * Whether the member's last use of a birthday or welcome-back gift can decide anything today: only in
 * the member's birthday month, only once the member has been away long enough. The rules below ask this
 * first, and the engine reads the member's history only when it says yes (most decisions: never).
 */
export function lastUseMatters(campaign: Campaign, member: Member, local: LocalTime): boolean {
  const u = campaign.usage;
  if (u.type === 'birthday_gift') return member.birthdayMonth === local.month;
  if (u.type === 'welcome_back')
    return member.lastActiveDate !== undefined && daysBetween(member.lastActiveDate, local.date) >= u.inactiveDays;
  return false;
}

/** How the benefit is held: a period card's uses, a birthday or welcome-back gift once, points in hand. */
function usageKind(
  { campaign, instance }: Candidate,
  { member, local, usage, now }: RuleContext,
): ReasonCode | undefined {
  const u = campaign.usage;
  if (u.type === 'period_card' && instance) {
    const used = usage.instanceUses[`${instance.id}|${periodKey(u.period, local)}`] ?? 0;
    return used >= u.usesPerPeriod ? 'PERIOD_USES_EXHAUSTED' : undefined;
  }
  if (u.type === 'birthday_gift') {
    if (!lastUseMatters(campaign, member, local)) return 'NOT_BIRTHDAY_MONTH';
    const last = usage.lastUseAt[campaign.id];
    // used within the last 11 months = used in this birthday month already (a year is never shorter)
    return last !== undefined && now - last < 330 * 86_400_000 ? 'BIRTHDAY_GIFT_USED' : undefined;
  }
  if (u.type === 'welcome_back') {
    if (!lastUseMatters(campaign, member, local) || !member.lastActiveDate) return 'NOT_INACTIVE_LONG_ENOUGH';
    const last = usage.lastUseAt[campaign.id];
    return last !== undefined && last >= Date.parse(`${member.lastActiveDate}T00:00:00Z`) - 86_400_000
      ? 'WELCOME_BACK_USED'
      : undefined;
  }
  if (u.type === 'points_exchange' && usage.pointsBalance < u.pointsCost) return 'NOT_ENOUGH_POINTS';
  return undefined;
}
