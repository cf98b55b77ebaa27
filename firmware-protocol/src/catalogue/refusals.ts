/**
 * [FWP-11.3] Refusals: why a request was answered with the error `REDEMPTION_STATE` (`refusal` in the
 * error response, `details.refusal` in the staff API), emitted by the redemption engine, its ledger and
 * the gateway's flows; a kind's own flows declare theirs in `devices/<kind>/codes.ts`. The texts say
 * what happened to the transaction, for the resident's screen and the staff dashboard.
 * A code, once published, keeps its meaning forever; a retired code is never reused.
 */
export const REFUSALS = {
  // the life of a redemption (gateway/redemption/domain/lifecycle.ts)
  ALREADY_CAPTURED: { wire: true, zh: '该笔交易已扣款', en: 'This transaction was already charged' },
  ALREADY_VOIDED: { wire: true, zh: '该笔交易已取消', en: 'This transaction was already cancelled' },
  ALREADY_REVERSED: { wire: true, zh: '该笔交易已退款', en: 'This transaction was already refunded' },
  HOLD_EXPIRED: {
    wire: true,
    zh: '预授权已超时并取消，未扣款',
    en: 'The hold expired and was released; nothing was charged',
  },
  NOT_CAPTURED: { wire: true, zh: '该笔交易尚未扣款，无法退款', en: 'Not charged yet, so it cannot be refunded' },
  REVERSAL_WINDOW_CLOSED: { wire: true, zh: '已超过可退款期限', en: 'Too late to refund this transaction' },
  // the redemption service and its ledger
  NOT_HELD: { wire: true, zh: '该笔预授权已结束，无法结算', en: 'The hold is no longer open; it cannot be settled' },
  BUNDLE_BENEFIT_USED: {
    wire: true,
    zh: '套餐赠送的权益已被使用，无法退款',
    en: 'A benefit this bundle granted has been used; it cannot be refunded',
  },
  DECLINED: { wire: true, zh: '该笔交易已被拒绝', en: 'This transaction was declined' },
  POINTS_ALREADY_SPENT: {
    wire: true,
    zh: '本单所得积分已被使用，无法退款',
    en: 'The points earned on this purchase were already spent; it cannot be refunded',
  },
  INSUFFICIENT_FUNDS: { wire: true, zh: '余额不足', en: 'Not enough balance' },
  // [FWP-11.4] the vending session
  VEND_IN_PROGRESS: { wire: true, zh: '正在出货，请先完成当前交易', en: 'A vend is in progress; finish it first' },
  NO_SESSION: { wire: true, zh: '本次购物已结束，请重新刷卡', en: 'No open session; tap the card again' },
  VEND_RESULT_OUTSTANDING: {
    wire: true,
    zh: '正在出货，请等待出货完成',
    en: 'The item is being dispensed; wait until it is out',
  },
  VEND_OUT_OF_ORDER: { wire: true, zh: '操作顺序有误，请重新开始', en: 'Steps out of order; please start again' },
  // [FWP-11.5] group buys delivered to lockers
  GROUP_BUY_NOT_FORMED: { wire: true, zh: '该团购尚未成团', en: 'This group buy has not formed yet' },
} as const satisfies Record<string, { wire: boolean; zh: string; en: string }>;

export type RefusalCode = keyof typeof REFUSALS;
