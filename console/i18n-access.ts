import { useApp } from './app-context.ts';
import type { Lang } from './i18n.ts';

/** The texts of the group-buy and access pages, in both languages (same shape as TEXT). */
export const TEXT_ACCESS = {
  // group buys
  groupBuys: ['社区团购', 'Group buys'],
  groupBuy: ['团购', 'Group buy'],
  createGroupBuy: ['发起团购', 'Open a group buy'],
  gbId: ['团购编号', 'Group buy id'],
  gbTitle: ['商品 / 标题', 'Title'],
  targetQty: ['成团数量', 'Target quantity'],
  orderedQty: ['已订数量', 'Ordered'],
  progress: ['进度', 'Progress'],
  closesAt: ['截止时间', 'Closes'],
  noClose: ['不截止', 'no closing time'],
  gb_forming: ['拼团中', 'Forming'],
  gb_formed: ['已成团', 'Formed'],
  gb_delivered: ['已入柜', 'Delivered'],
  gb_cancelled: ['已取消', 'Cancelled'],
  gbCreated: ['团购已发起', 'Group buy opened'],
  idHint: [
    '编号：字母、数字及 _ . : -，最多 64 个字符，例如 gb-2024-05-rice',
    'Id: letters, digits and _ . : - (64 at most), e.g. gb-2024-05-rice',
  ],
  gbFormsHint: [
    '订购数量达到成团数量时立即成团并通知所有买家；截止前未成团则自动取消。',
    'It forms the moment the target quantity is ordered (every buyer is told); ' +
      'one not formed by its closing time is cancelled.',
  ],
  buyers: ['买家与取件', 'Buyers and pickup'],
  buyer: ['买家（会员编号）', 'Buyer (member id)'],
  qty: ['数量', 'Quantity'],
  parcel: ['包裹', 'Parcel'],
  pickup: ['取件状态', 'Pickup'],
  notDeposited: ['未入柜', 'Not in a locker yet'],
  parcelUnknown: ['不在最近的包裹记录中', 'Not among the recent parcels'],
  lockerCompartment: ['柜 / 格口', 'Locker / compartment'],
  pickedUpOf: ['已取件', 'Picked up'],
  storedOf: ['已入柜', 'In lockers'],
  addOrder: ['添加 / 修改订单', 'Add or change an order'],
  addOrderHint: [
    '同一会员再次提交即改为新的数量。',
    "Submitting again for the same member changes that member's quantity.",
  ],
  changeQty: ['改数量', 'Change quantity'],
  orderSaved: ['订单已保存', 'Order saved'],
  noOrders: ['还没有订单', 'No orders yet'],
  closedForOrders: ['此团购不再接受订单', 'This group buy takes no more orders'],
  pastClose: ['已过截止时间', 'Past its closing time'],
  openDetail: ['查看', 'Open'],
  notFound: ['没有这个团购', 'No such group buy'],
  shopNoAccess: ['商户令牌不能使用此页面', 'A shop token cannot use this page'],
  // access
  access: ['门禁管理', 'Access'],
  rules: ['通行规则', 'Access rules'],
  tierPrefix: ['等级：', 'tier: '],
  ruleForm: ['新建或替换规则', 'Create or replace a rule'],
  ruleId: ['规则编号', 'Rule id'],
  ruleReplaceHint: ['已有相同编号的规则将被整体替换。', 'A rule with the same id is replaced as a whole.'],
  appliesTo: ['适用于', 'Applies to'],
  aMember: ['某位会员', 'One member'],
  aTier: ['某个会员等级', 'A member tier'],
  memberId: ['会员编号', 'Member id'],
  tier: ['会员等级', 'Tier'],
  zoneAll: ['区域（* 表示全部区域）', 'Zone ("*" for every zone)'],
  weekdays: ['星期', 'Days'],
  fromTime: ['开始（HH:MM）', 'From (HH:MM)'],
  toTime: ['结束（HH:MM，可为 24:00）', 'To (HH:MM, up to 24:00)'],
  badTime: ['时间格式应为 HH:MM', 'Times are HH:MM'],
  noWeekday: ['请至少选择一天', 'Choose at least one day'],
  validUntil: ['有效期至', 'Valid until'],
  save: ['保存', 'Save'],
  ruleSaved: ['规则已保存', 'Rule saved'],
  deleteRule: ['删除规则', 'Delete a rule'],
  delete: ['删除', 'Delete'],
  deleteRuleConfirm: [
    '删除后此规则立即失效，依赖它的住户将无法开门。',
    'The rule stops at once: whoever it let in may no longer open these doors.',
  ],
  ruleDeleted: ['规则已删除', 'Rule deleted'],
  rulesSeen: ['最近通行记录中用到的规则', 'Rules seen in the recent log'],
  lastUsedAt: ['最近使用', 'Last used'],
  opens: ['开门次数', 'Openings'],
  edit: ['填入表单', 'Fill the form'],
  noRulesSeen: ['最近的通行记录中没有按规则开门', 'No door opened by a rule in the recent log'],
  points: ['门与区域', 'Doors and zones'],
  pointsHint: [
    '每个门禁读卡器的门及其开启的区域；最后使用时间取自通行记录。',
    "Each reader's doors and the zone each opens; when each was last used comes from the access log.",
  ],
  setZone: ['设置区域', 'Set zone'],
  zoneSaved: ['区域已保存', 'Zone saved'],
  doorId: ['门编号', 'Door'],
  currentZone: ['记录中的区域', 'Zone in the log'],
  log: ['通行记录', 'Access log'],
  limit: ['条数', 'Rows'],
  anyDevice: ['全部门禁', 'All door readers'],
  subjectSearch: ['通行人 / 区域', 'Who / zone'],
  reason: ['原因', 'Reason'],
  shownOf: ['显示', 'shown'],
  checkIn: ['社区活动签到', 'Community activity check-in'],
  checkInHint: [
    '活动期间，在该门禁刷卡即签到并获得积分（每位会员一次）。相同编号的活动将被替换；网关没有列出活动的接口。',
    'While it runs, a tap on the reader checks the member in and earns the points once. ' +
      'An activity with the same id is replaced; the gateway has no way to list activities.',
  ],
  eventId: ['活动编号', 'Activity id'],
  eventName: ['活动名称', 'Name'],
  startsAt: ['开始时间', 'Starts'],
  endsAt: ['结束时间', 'Ends'],
  awardPoints: ['积分', 'Points'],
  endAfterStart: ['结束时间须晚于开始时间', 'The end must be after the start'],
  checkedIn: ['已签到', 'Checked in'],
  eventSaved: ['活动已保存', 'Activity saved'],
  visitorAllZones: ['所有区域（*）的访客码仅管理员可生成', 'Only an admin may issue a code for every zone ("*")'],
} as const satisfies Record<string, readonly [string, string]>;

export type AccessKey = keyof typeof TEXT_ACCESS;

export const ta = (lang: Lang, key: AccessKey): string => TEXT_ACCESS[key][lang === 'zh-CN' ? 0 : 1];

/** `ta` in the language of the console shown. */
export function useTa(): (k: AccessKey) => string {
  const { lang } = useApp();
  return (k) => ta(lang, k);
}

/** A record id as the API takes it (RecordIdSchema): letters, digits and _ . : -, at most 64. */
export const RECORD_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
/** The same, for an input's pattern attribute (the browser anchors it). */
export const RECORD_ID_PATTERN = '[A-Za-z0-9_.:\\-]{1,64}';

/** An instant as the value of a datetime-local input, read in Shanghai like every time of the console. */
export const shanghaiLocal = (ms: number): string => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);
/** A datetime-local input's value (a Shanghai wall time) as ISO 8601. */
export const fromShanghaiLocal = (v: string): string => new Date(`${v}:00+08:00`).toISOString();
