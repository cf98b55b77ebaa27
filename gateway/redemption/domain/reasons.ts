/**
 * Why a benefit was not applied: stable codes (they go into logs, the API and device displays) with
 * messages in Chinese and English. A code keeps its meaning forever; a retired one is never reused.
 */
export const REASONS = {
  INSTANCE_USED: { zh: '该权益已使用', en: 'this benefit has been used' },
  INSTANCE_EXPIRED: { zh: '该权益已过期', en: 'this benefit has expired' },
  INSTANCE_REVOKED: { zh: '该权益已作废', en: 'this benefit was revoked' },
  NO_USES_LEFT: { zh: '次数已用完', en: 'no uses left' },
  NOT_YET_VALID: { zh: '活动尚未开始', en: 'the offer has not started yet' },
  CAMPAIGN_ENDED: { zh: '活动已结束', en: 'the offer has ended' },
  WRONG_DAY: { zh: '今日不可用', en: 'not valid on this day of the week' },
  OUTSIDE_HOURS: { zh: '不在可用时段', en: 'not valid at this time of day' },
  MERCHANT_NOT_IN_SCOPE: { zh: '本店不适用', en: 'not valid at this merchant' },
  DEVICE_NOT_IN_SCOPE: { zh: '本设备不适用', en: 'not valid on this device' },
  DEVICE_KIND_NOT_IN_SCOPE: { zh: '此类设备不适用', en: 'not valid on this kind of device' },
  NO_ELIGIBLE_PRODUCT: { zh: '没有适用商品', en: 'no eligible product in the purchase' },
  MIN_SPEND_NOT_MET: { zh: '未达到最低消费', en: 'minimum spend not reached' },
  THRESHOLD_NOT_MET: { zh: '未达到满减门槛', en: 'the amount-off threshold is not reached' },
  TIER_NOT_ELIGIBLE: { zh: '会员等级不符', en: 'not available for this member tier' },
  SEGMENT_NOT_ELIGIBLE: { zh: '不在活动人群内', en: 'not available for this member' },
  PERIOD_USES_EXHAUSTED: { zh: '本期次数已用完', en: 'all uses for this period are taken' },
  NOT_BIRTHDAY_MONTH: { zh: '非生日月', en: 'only in the birthday month' },
  BIRTHDAY_GIFT_USED: { zh: '今年生日礼已领取', en: 'this year’s birthday gift was already used' },
  NOT_INACTIVE_LONG_ENOUGH: { zh: '仅限回归会员', en: 'only for members returning after a while' },
  WELCOME_BACK_USED: { zh: '回归礼已领取', en: 'the welcome-back gift was already used' },
  NOT_ENOUGH_POINTS: { zh: '积分不足', en: 'not enough points' },
  MEMBER_LIMIT_REACHED: { zh: '已达个人使用上限', en: 'your limit for this offer is reached' },
  BUDGET_EXHAUSTED: { zh: '活动名额已满', en: 'the offer’s budget is used up' },
  NEEDS_INSTANCE: { zh: '需先领取', en: 'this benefit must be claimed first' },
  NO_SAVING: { zh: '本单无优惠', en: 'gives no saving on this purchase' },
  EXCLUSIVE_CONFLICT: { zh: '不可与其他优惠同享', en: 'cannot be combined with other benefits' },
  CATEGORY_CONFLICT: { zh: '同类优惠只能用一个', en: 'only one benefit of this kind per purchase' },
  STACKING_LIMIT: { zh: '已达叠加上限', en: 'the maximum number of benefits per purchase is reached' },
  NOT_BEST: { zh: '已选用更优惠的组合', en: 'a better combination was chosen' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type ReasonCode = keyof typeof REASONS;

export interface Rejection {
  /** `c:<campaign>` for a campaign-level benefit, `i:<instance>` for one the member holds (a coupon, a card). */
  ref: string;
  campaignId: string;
  /** The benefit's name, so a device can say which one did not apply. */
  name: { zh: string; en: string };
  code: ReasonCode;
  message: { zh: string; en: string };
}

export function reject(
  c: { ref: string; campaign: { id: string; name: { zh: string; en: string } } },
  code: ReasonCode,
): Rejection {
  return { ref: c.ref, campaignId: c.campaign.id, name: c.campaign.name, code, message: REASONS[code] };
}

/**
 * Reasons about benefits that were never this member's to use (another tier, segment, birthday month):
 * true to the staff API, but noise on a device's small screen.
 */
export const NOT_FOR_THIS_MEMBER: ReadonlySet<ReasonCode> = new Set([
  'TIER_NOT_ELIGIBLE',
  'SEGMENT_NOT_ELIGIBLE',
  'NOT_BIRTHDAY_MONTH',
  'NOT_INACTIVE_LONG_ENOUGH',
]);
