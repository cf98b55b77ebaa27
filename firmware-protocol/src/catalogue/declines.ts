/**
 * [FWP-11.3] Decline codes: `declineCode` of a response with `decision: "declined"`, emitted by the
 * gateway's redemption engine and its flows (a door reader's declines are the `access` family; a kind's
 * own flows declare theirs in `devices/<kind>/codes.ts`). The texts are what the device shows the
 * resident (`display`) unless the flow words it more exactly (the compartment size, the coupon's reason).
 * A code, once published, keeps its meaning forever; a retired code is never reused.
 */
export const DECLINES = {
  INSUFFICIENT_FUNDS: { wire: true, zh: '余额不足', en: 'Not enough balance' },
  LOW_TRUST_LIMIT: {
    wire: true,
    zh: '超出此卡限额，请使用安全卡或二维码',
    en: "Over this card's limit; use a secure card or the QR code",
  },
  NOTHING_TO_PAY_FOR: { wire: true, zh: '金额为零，无需支付', en: 'Nothing to pay' },
  COUPON_NOT_APPLICABLE: { wire: true, zh: '此券不能用于本单', en: 'This coupon does not apply to this bill' },
  POINTS_ALREADY_SPENT: {
    wire: true,
    zh: '本单所得积分已被使用，无法办理',
    en: 'The points earned on this purchase were already spent',
  },
  // [FWP-4.3] a resent purchase whose redemption was meanwhile voided or reversed: never dispense
  VOIDED: { wire: true, zh: '交易已取消，未扣款', en: 'Cancelled; you were not charged' },
  REVERSED: { wire: true, zh: '交易已取消，未扣款', en: 'Cancelled; you were not charged' },
  // [FWP-11.5] parcel lockers
  LOCKER_FULL: {
    wire: true,
    zh: '没有合适的空闲格口',
    en: 'No free compartment of this size or larger',
  },
  GROUP_BUY_COMPLETE: {
    wire: true,
    zh: '该团购订单已全部投递',
    en: 'Every buyer of this group buy already has their goods',
  },
  NO_PARCELS: { wire: true, zh: '没有待取的包裹', en: 'No parcels to pick up here' },
  COMPARTMENT_UNAVAILABLE: {
    wire: true,
    zh: '格口暂时无法打开，请稍后再试或联系物业',
    en: 'The compartment cannot open now; try again shortly or ask the property office',
  },
  CODE_INVALID: { wire: true, zh: '取件码错误', en: 'Wrong pickup code' },
  CODE_EXPIRED: {
    wire: true,
    zh: '取件码已过期，请联系物业',
    en: 'This code has expired; please ask the property office',
  },
  KEYPAD_LOCKED: { wire: true, zh: '错误次数过多，请稍后再试', en: 'Too many wrong codes; try again later' },
} as const satisfies Record<string, { wire: boolean; zh: string; en: string }>;

export type DeclineCode = keyof typeof DECLINES;
