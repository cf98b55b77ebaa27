import type { Campaign } from './model.ts';
import type { LocalTime } from './local-time.ts';

/**
 * What has already been used, as the store knows it at decision time. Plain data, so the decision is a
 * pure function and can be replayed. Keys: `${campaignId}|${periodKey}` and `${instanceId}|${periodKey}`.
 */
export interface UsageFacts {
  /** Uses of a campaign by this member, per period key. */
  memberUses: Readonly<Record<string, number>>;
  /** Uses of one instance (period card) per period key. */
  instanceUses: Readonly<Record<string, number>>;
  /** Uses and amount granted so far, per campaign, by everyone. */
  budgets: Readonly<Record<string, { count: number; amountFen: number }>>;
  /** When this member last used each campaign (ms), for birthday and welcome-back gifts. */
  lastUseAt: Readonly<Record<string, number>>;
  pointsBalance: number;
}

export const NO_USAGE: UsageFacts = { memberUses: {}, instanceUses: {}, budgets: {}, lastUseAt: {}, pointsBalance: 0 };

/** The period a limit counts in: the local day, ISO week, month, or the whole campaign. */
export function periodKey(period: 'day' | 'week' | 'month' | 'campaign', t: LocalTime): string {
  if (period === 'day') return t.date;
  if (period === 'week') return t.isoWeek;
  if (period === 'month') return t.date.slice(0, 7);
  return 'all';
}

export function memberUseKey(c: Campaign, period: 'day' | 'week' | 'month' | 'campaign', t: LocalTime): string {
  return `${c.id}|${periodKey(period, t)}`;
}
