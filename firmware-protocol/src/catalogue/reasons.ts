/**
 * [FWP-11.3] Why a benefit was not applied (`notApplied[].code` with its `reason` text): stable codes
 * that go into logs, the staff API and device displays, emitted by the redemption rules and the
 * selection of benefits. `wire: false` marks a reason about a benefit that was never this member's to
 * use (another tier, segment, birthday month): true to the staff API, but noise on a device's small
 * screen, so it is never sent to a device.
 * A code, once published, keeps its meaning forever; a retired code is never reused.
 */
export const REASON_CODES = {
  INSTANCE_USED: { wire: true, zh: '该权益已使用', en: 'this benefit has been used' },
  INSTANCE_EXPIRED: { wire: true, zh: '该权益已过期', en: 'this benefit has expired' },
  INSTANCE_REVOKED: { wire: true, zh: '该权益已作废', en: 'this benefit was revoked' },
  NO_USES_LEFT: { wire: true, zh: '次数已用完', en: 'no uses left' },
  NOT_YET_VALID: { wire: true, zh: '活动尚未开始', en: 'the offer has not started yet' },
  CAMPAIGN_ENDED: { wire: true, zh: '活动已结束', en: 'the offer has ended' },
  WRONG_DAY: { wire: true, zh: '今日不可用', en: 'not valid on this day of the week' },
  OUTSIDE_HOURS: { wire: true, zh: '不在可用时段', en: 'not valid at this time of day' },
  MERCHANT_NOT_IN_SCOPE: { wire: true, zh: '本店不适用', en: 'not valid at this merchant' },
  DEVICE_NOT_IN_SCOPE: { wire: true, zh: '本设备不适用', en: 'not valid on this device' },
  DEVICE_KIND_NOT_IN_SCOPE: { wire: true, zh: '此类设备不适用', en: 'not valid on this kind of device' },
  NO_ELIGIBLE_PRODUCT: { wire: true, zh: '没有适用商品', en: 'no eligible product in the purchase' },
  MIN_SPEND_NOT_MET: { wire: true, zh: '未达到最低消费', en: 'minimum spend not reached' },
  THRESHOLD_NOT_MET: { wire: true, zh: '未达到满减门槛', en: 'the amount-off threshold is not reached' },
  TIER_NOT_ELIGIBLE: { wire: false, zh: '会员等级不符', en: 'not available for this member tier' },
  SEGMENT_NOT_ELIGIBLE: { wire: false, zh: '不在活动人群内', en: 'not available for this member' },
  PERIOD_USES_EXHAUSTED: { wire: true, zh: '本期次数已用完', en: 'all uses for this period are taken' },
  NOT_BIRTHDAY_MONTH: { wire: false, zh: '非生日月', en: 'only in the birthday month' },
  BIRTHDAY_GIFT_USED: { wire: true, zh: '今年生日礼已领取', en: 'this year’s birthday gift was already used' },
  NOT_INACTIVE_LONG_ENOUGH: { wire: false, zh: '仅限回归会员', en: 'only for members returning after a while' },
  WELCOME_BACK_USED: { wire: true, zh: '回归礼已领取', en: 'the welcome-back gift was already used' },
  NOT_ENOUGH_POINTS: { wire: true, zh: '积分不足', en: 'not enough points' },
  MEMBER_LIMIT_REACHED: { wire: true, zh: '已达个人使用上限', en: 'your limit for this offer is reached' },
  BUDGET_EXHAUSTED: { wire: true, zh: '活动名额已满', en: 'the offer’s budget is used up' },
  NEEDS_INSTANCE: { wire: true, zh: '需先领取', en: 'this benefit must be claimed first' },
  NO_SAVING: { wire: true, zh: '本单无优惠', en: 'gives no saving on this purchase' },
  EXCLUSIVE_CONFLICT: { wire: true, zh: '不可与其他优惠同享', en: 'cannot be combined with other benefits' },
  CATEGORY_CONFLICT: { wire: true, zh: '同类优惠只能用一个', en: 'only one benefit of this kind per purchase' },
  STACKING_LIMIT: {
    wire: true,
    zh: '已达叠加上限',
    en: 'the maximum number of benefits per purchase is reached',
  },
  NOT_BEST: { wire: true, zh: '已选用更优惠的组合', en: 'a better combination was chosen' },
} as const satisfies Record<string, { wire: boolean; zh: string; en: string }>;
