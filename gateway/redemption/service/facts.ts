import type { LocalTime } from '../domain/local-time.ts';
import type { BenefitInstance, Campaign, Member } from '../domain/model.ts';
import type { ProxyAllowance } from '../domain/funding.ts';
import { lastUseMatters } from '../domain/rules.ts';
import { periodKey, type UsageFacts } from '../domain/usage-facts.ts';
import type { CatalogRepo } from '../store/catalog-repo.ts';
import type { UsageRepo } from '../store/usage-repo.ts';
import { account, type LedgerPort } from './ports.ts';

/** Counter keys: one place, so the writer and the reader of a counter never disagree. */
export const counterKey = {
  member: (memberId: string, campaignId: string, pk: string) => `m|${memberId}|${campaignId}|${pk}`,
  instance: (instanceId: string, pk: string) => `i|${instanceId}|${pk}`,
  budget: (campaignId: string) => `b|${campaignId}`,
  proxyDay: (payerId: string, memberId: string, t: LocalTime) => `p|${payerId}|${memberId}|${t.date}`,
  proxyMonth: (payerId: string, memberId: string, t: LocalTime) => `p|${payerId}|${memberId}|${t.date.slice(0, 7)}`,
  lowTrustDay: (memberId: string, t: LocalTime) => `lt|${memberId}|${t.date}`,
};

/** Reads, inside the writer's transaction, everything the rules need to know about past use. */
export function gatherUsage(
  member: Member,
  campaigns: ReadonlyMap<string, Campaign>,
  instances: readonly BenefitInstance[],
  t: LocalTime,
  usage: UsageRepo,
  ledger: LedgerPort,
): UsageFacts {
  const memberUses: Record<string, number> = {};
  const budgets: Record<string, { count: number; amountFen: number }> = {};
  // only a birthday gift and a welcome-back offer ask when the member last used them, and only when the
  // answer can matter (the birthday month, a member back after long enough): the member's history is read
  // for those alone, so an ordinary decision never reads a past that grows with every purchase
  const lastUseOf: string[] = [];
  for (const c of campaigns.values()) {
    if (lastUseMatters(c, member, t)) lastUseOf.push(c.id);
    const lim = c.rules.perMemberLimit;
    if (lim) {
      const pk = periodKey(lim.period, t);
      memberUses[`${c.id}|${pk}`] = usage.get(counterKey.member(member.id, c.id, pk)).count;
    }
    if (c.rules.budget) budgets[c.id] = usage.get(counterKey.budget(c.id));
  }
  const instanceUses: Record<string, number> = {};
  for (const i of instances) {
    const c = campaigns.get(i.campaignId);
    if (c?.usage.type === 'period_card') {
      const pk = periodKey(c.usage.period, t);
      instanceUses[`${i.id}|${pk}`] = usage.get(counterKey.instance(i.id, pk)).count;
    }
  }
  return {
    memberUses,
    instanceUses,
    budgets,
    lastUseAt: usage.lastUses(member.id, lastUseOf),
    pointsBalance: ledger.balance(account.points(member.id), 'points'),
  };
}

/** The member's family payers with what they already paid today and this month, and their balances. */
export function gatherProxies(
  memberId: string,
  t: LocalTime,
  catalog: CatalogRepo,
  usage: UsageRepo,
  ledger: LedgerPort,
): ProxyAllowance[] {
  return catalog.proxyLimits(memberId).map((p) => ({
    ...p,
    spentTodayFen: usage.get(counterKey.proxyDay(p.payerId, memberId, t)).amountFen,
    spentMonthFen: usage.get(counterKey.proxyMonth(p.payerId, memberId, t)).amountFen,
    payerBalanceFen: ledger.balance(account.wallet(p.payerId), 'fen'),
  }));
}
