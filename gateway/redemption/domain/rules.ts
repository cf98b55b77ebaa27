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
export function firstFailure(c: Candidate, ctx: RuleContext): { rule: string; code: ReasonCode } | undefined {
  for (const rule of RULES) {
    const code = rule.check(c, ctx);
    if (code) return { rule: rule.name, code };
  }
  return undefined;
}
