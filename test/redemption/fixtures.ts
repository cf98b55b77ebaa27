import {
  CampaignSchema,
  MemberSchema,
  type BenefitInstance,
  type Campaign,
  type Member,
  type Purchase,
} from '../../gateway/redemption/domain/model.ts';
import type { SelectionInput } from '../../gateway/redemption/domain/select.ts';
import { NO_USAGE, type UsageFacts } from '../../gateway/redemption/domain/usage-facts.ts';

/** Wednesday 2026-11-18 08:30 in Shanghai (00:30 UTC). */
export const WED_0830 = Date.UTC(2026, 10, 18, 0, 30);
/** Wednesday 2026-11-18 14:00 in Shanghai. */
export const WED_1400 = Date.UTC(2026, 10, 18, 6, 0);

export function campaign(
  id: string,
  partial: Partial<Record<string, unknown>> & { effect: unknown; usage?: unknown },
): Campaign {
  return CampaignSchema.parse({ id, name: { zh: id, en: id }, usage: { type: 'always_on' }, ...partial });
}

export function member(partial: Partial<Member> = {}): Member {
  return MemberSchema.parse({ id: 'm-1', tier: 'regular', ...partial });
}

export function instance(id: string, campaignId: string, partial: Partial<BenefitInstance> = {}): BenefitInstance {
  return { id, campaignId, memberId: 'm-1', issuedAt: 0, status: 'active', ...partial };
}

export function bill(amountFen: number, partial: Partial<Purchase> = {}): Purchase {
  return { merchantId: 'cafe-01', items: [], amountFen, at: WED_1400, ...partial };
}

export function items(lines: [string, number, number][], partial: Partial<Purchase> = {}): Purchase {
  return {
    merchantId: 'fresh-01',
    items: lines.map(([productId, unitPriceFen, qty]) => ({ productId, unitPriceFen, qty })),
    at: WED_1400,
    ...partial,
  };
}

export function input(
  campaigns: Campaign[],
  purchase: Purchase,
  opts: Omit<Partial<SelectionInput>, 'usage'> & { usage?: Partial<UsageFacts> } = {},
): SelectionInput {
  return {
    member: member(),
    instances: [],
    now: purchase.at,
    timezone: 'Asia/Shanghai',
    maxBenefitsPerPurchase: 3,
    ...opts,
    purchase,
    campaigns: new Map(campaigns.map((c) => [c.id, c])),
    usage: { ...NO_USAGE, ...(opts.usage ?? {}) },
  };
}
