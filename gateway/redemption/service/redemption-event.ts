import type { RedemptionResult } from './result.ts';

/**
 * What the cloud learns of a redemption: ids, amounts and the benefits applied; never card data. The
 * member is named by their id only (a pseudonym shared with the platform that issued it).
 */
export function redemptionEvent(
  where: { merchantId: string; deviceId: string | undefined; memberId: string },
  r: RedemptionResult,
  at: number,
) {
  return {
    redemptionId: r.redemptionId,
    txnId: r.txnId,
    memberId: where.memberId,
    merchantId: where.merchantId,
    deviceId: where.deviceId ?? null,
    state: r.state,
    ...(r.declineCode ? { declineCode: r.declineCode } : {}),
    subtotalFen: r.subtotalFen,
    savingFen: r.savingFen,
    payableFen: r.payableFen,
    paidBy: r.paidBy,
    pointsCost: r.pointsCost,
    pointsEarned: r.pointsEarned,
    applied: r.applied.map((a) => ({
      campaignId: a.campaignId,
      ...(a.instanceId ? { instanceId: a.instanceId } : {}),
      savingFen: a.savingFen,
    })),
    at,
  };
}
