/**
 * [FWP-11.6] Door access: the codes of the gateway's access flow — a door reader's `declineCode`s and
 * the reasons its access log records for every decision. The member rules' denials (`NO_ACCESS`,
 * `OUTSIDE_HOURS`, `ACCESS_EXPIRED`) belong to the door reader's policy and are declared in
 * `devices/door-reader/codes.ts`; a refused card is logged with its error code (the `errors` family).
 * `wire: false`: only in the access log (staff), never sent to a reader.
 * A code, once published, keeps its meaning forever; a retired code is never reused.
 */
export const ACCESS = {
  CODE_INVALID: { wire: true, zh: '访客码错误', en: 'Wrong visitor code' },
  CODE_EXPIRED: { wire: true, zh: '访客码不在有效期内', en: 'This visitor code is not valid now' },
  CODE_USED: { wire: true, zh: '访客码已用完', en: 'This visitor code is used up' },
  KEYPAD_LOCKED: { wire: true, zh: '错误次数过多，请稍后再试', en: 'Too many wrong codes; try again later' },
  ALREADY_CHECKED_IN: { wire: true, zh: '已签到', en: 'Already checked in' },
  CHECKED_IN: { wire: false, zh: '签到成功', en: 'Checked in' },
  VISITOR_CODE: { wire: false, zh: '凭访客码开门', en: 'Opened with a visitor code' },
  /** Logged as `RULE:<rule id>`: the member rule that granted the opening. */
  RULE: { wire: false, zh: '按通行规则开门', en: 'Opened by an access rule' },
} as const satisfies Record<string, { wire: boolean; zh: string; en: string }>;
