import { ERRORS } from '../firmware-protocol/src/catalogue/errors.ts';
import { DECLINES } from '../firmware-protocol/src/catalogue/declines.ts';
import { HEALTH } from '../firmware-protocol/src/catalogue/health.ts';

export type Lang = 'zh-CN' | 'en';

/** Every text of the console, in both languages: one catalogue, so a screen is never half translated. */
const TEXT = {
  appName: ['邻里网关 · 管理台', 'Linli gateway · console'],
  overview: ['总览', 'Overview'],
  devices: ['设备', 'Devices'],
  alerts: ['告警', 'Alerts'],
  redemptions: ['核销记录', 'Redemptions'],
  reports: ['经营报表', 'Reports'],
  tokens: ['访问令牌', 'Tokens'],
  members: ['会员查询', 'Members'],
  groupBuys: ['社区团购', 'Group buys'],
  access: ['门禁管理', 'Access'],
  doctor: ['诊断', 'Diagnostics'],
  memberId: ['会员编号', 'Member id'],
  fromDesk: ['读取前台刷卡', 'Read the card on the desk reader'],
  tier: ['等级', 'Tier'],
  cloud: ['云平台连接', 'Cloud link'],
  cloudOff: ['本网关未开启云同步', 'Cloud sync is off on this gateway'],
  overBudget: ['待上传数据超出上限', 'backlog over its budget'],
  reconnects: ['重连次数', 'Reconnects'],
  backlog: ['待上传', 'Waiting to be sent'],
  stream: ['数据流', 'Stream'],
  oldest: ['最早', 'Oldest'],
  dropped: ['已丢弃', 'Dropped'],
  documents: ['云端下发文档', 'Documents from the cloud'],
  rollouts: ['屏幕活动推送', 'Campaign rollouts to screens'],
  signOut: ['退出', 'Sign out'],
  signIn: ['登录', 'Sign in'],
  tokenLabel: ['访问令牌', 'Access token'],
  tokenHint: [
    '粘贴管理员发给您的令牌（linli token create）',
    'Paste the token your admin gave you (linli token create)',
  ],
  expired: ['登录已失效，请重新登录', 'Your session has expired or the token was revoked; please sign in again'],
  badToken: ['令牌无效', 'That token is not valid'],
  language: ['English', '中文'],
  live: ['实时', 'Live'],
  reconnecting: ['正在重新连接…', 'Reconnecting…'],
  status_ok: ['正常', 'OK'],
  status_degraded: ['降级', 'Degraded'],
  status_fault: ['故障', 'Fault'],
  status_offline: ['离线', 'Offline'],
  status_unknown: ['未知', 'Unknown'],
  sev_critical: ['严重', 'Critical'],
  sev_warning: ['警告', 'Warning'],
  sev_info: ['提示', 'Info'],
  openAlerts: ['未处理告警', 'Open alerts'],
  noAlerts: ['没有未处理的告警', 'No open alerts'],
  acknowledge: ['确认', 'Acknowledge'],
  acknowledged: ['已确认', 'Acknowledged'],
  notAcknowledged: ['待确认', 'Not acknowledged'],
  clear: ['关闭', 'Clear'],
  cleared: ['已关闭', 'Cleared'],
  since: ['开始于', 'Since'],
  by: ['处理人', 'By'],
  note: ['备注', 'Note'],
  notePrompt: ['备注（可选）', 'Note (optional)'],
  todayActivity: ['今日动态', "Today's activity"],
  purchases: ['核销笔数', 'Redemptions'],
  amount: ['实收金额', 'Amount paid'],
  saved: ['为居民节省', 'Saved by residents'],
  declined: ['拒绝', 'Declined'],
  parcelsIn: ['今日入柜包裹', 'Parcels in today'],
  parcelsWaiting: ['待取包裹', 'Parcels waiting'],
  doorsOpened: ['开门次数', 'Doors opened'],
  devicesByStatus: ['设备状态', 'Devices by status'],
  search: ['搜索', 'Search'],
  searchDevices: ['按编号或名称搜索', 'Search by id or name'],
  all: ['全部', 'All'],
  id: ['编号', 'Id'],
  name: ['名称', 'Name'],
  kind: ['类型', 'Kind'],
  status: ['状态', 'Status'],
  reasons: ['原因', 'Reasons'],
  lastSeen: ['最后在线', 'Last seen'],
  firmware: ['固件', 'Firmware'],
  noData: ['暂无数据', 'No data'],
  time: ['时间', 'Time'],
  merchant: ['商户', 'Merchant'],
  device: ['设备', 'Device'],
  member: ['会员', 'Member'],
  outcome: ['结果', 'Outcome'],
  state_captured: ['已核销', 'Captured'],
  state_declined: ['已拒绝', 'Declined'],
  state_held: ['预授权', 'Held'],
  state_voided: ['已取消', 'Voided'],
  state_reversed: ['已退款', 'Reversed'],
  subtotal: ['原价', 'Subtotal'],
  wallet: ['储值余额', 'Wallet balance'],
  points: ['积分', 'Points'],
  discount: ['优惠', 'Discount'],
  payable: ['实付', 'Paid'],
  applied: ['已使用的优惠', 'Benefits applied'],
  notApplied: ['未使用的优惠及原因', 'Benefits not applied, and why'],
  reverse: ['退款', 'Reverse'],
  reverseConfirm: [
    '确认退款？余额、积分、次数将退回给会员。此操作不可撤销。',
    'Reverse this redemption? Wallet, points and uses go back to the member. This cannot be undone.',
  ],
  reverseNote: ['退款原因（必填）', 'Reason for the reversal (required)'],
  reversed: ['已退款', 'Reversed'],
  confirm: ['确认', 'Confirm'],
  cancel: ['取消', 'Cancel'],
  from: ['从', 'From'],
  to: ['至', 'To'],
  find: ['查询', 'Find'],
  exportCsv: ['导出 CSV', 'Export CSV'],
  heatmap: ['核销热力图', 'Redemption heat map'],
  heatmapHint: ['按星期与小时统计的核销笔数', 'Redemptions by day of week and hour of day'],
  daily: ['每日核销', 'Redemptions per day'],
  byMerchant: ['按商户', 'By merchant'],
  byBenefit: ['按优惠', 'By benefit'],
  aov: ['客单价', 'Average order value'],
  repurchase: ['复购率（30 天内）', 'Repurchase rate (within 30 days)'],
  count: ['笔数', 'Count'],
  benefit: ['优惠', 'Benefit'],
  shopOnly: ['商户视图：仅显示本店数据', "Shop view: your shop's data only"],
  role: ['角色', 'Role'],
  error: ['出错了', 'Something went wrong'],
  loading: ['加载中…', 'Loading…'],
  more: ['更多', 'More'],
  healthHistory: ['健康记录', 'Health history'],
  telemetry: ['最新遥测', 'Latest telemetry'],
  recentActivity: ['最近交易', 'Recent activity'],
  telemetryChart: ['温度与信号（24 小时）', 'Temperature and signal (24 h)'],
  temperature: ['温度', 'Temperature'],
  signal: ['信号', 'Signal'],
  event: ['事件', 'Event'],
  back: ['返回', 'Back'],
  gateway: ['网关', 'Gateway'],
  mon: ['周一', 'Mon'],
  tue: ['周二', 'Tue'],
  wed: ['周三', 'Wed'],
  thu: ['周四', 'Thu'],
  fri: ['周五', 'Fri'],
  sat: ['周六', 'Sat'],
  sun: ['周日', 'Sun'],
} as const satisfies Record<string, readonly [string, string]>;

export type TextKey = keyof typeof TEXT;

const STORE_KEY = 'linli.lang';

/** The language remembered, else the browser's: Chinese for any zh-*, English otherwise. */
export function initialLang(): Lang {
  const saved = localStorage.getItem(STORE_KEY);
  if (saved === 'zh-CN' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function rememberLang(lang: Lang): void {
  localStorage.setItem(STORE_KEY, lang);
  document.documentElement.lang = lang;
}

export const t = (lang: Lang, key: TextKey): string => TEXT[key][lang === 'zh-CN' ? 0 : 1];

type Catalogue = Record<string, { zh: string; en: string }>;
const HEALTH_TEXT = HEALTH as Catalogue;
const ERROR_TEXT = ERRORS as Catalogue;

/** A health or alert reason in the reader's language; the device's own text after it, where it adds detail. */
export function reasonText(lang: Lang, code: string, message: string): string {
  const colon = code.indexOf(':');
  const entry = HEALTH_TEXT[colon < 0 ? code : code.slice(0, colon)];
  if (!entry) return message;
  const name = lang === 'zh-CN' ? entry.zh : entry.en;
  // DEVICE_FAULT:E_COIN_JAM: the device's own code says it all
  if (colon >= 0) return `${name}: ${code.slice(colon + 1)}`;
  if (!message || message === entry.en) return name;
  // the gateway words its details in English: in Chinese they add only what the name cannot say (figures)
  return lang === 'en' || /\d/.test(message) ? `${name} — ${message}` : name;
}

const DECLINE_TEXT = DECLINES as Catalogue;
/** Why a purchase was declined, in the reader's language (the code itself when the catalogue has none). */
export function declineText(lang: Lang, code: string): string {
  const entry = DECLINE_TEXT[code];
  return entry ? (lang === 'zh-CN' ? entry.zh : entry.en) : code;
}

/** An API error in the reader's language, with the server's specific message when it says more. */
export function errorText(lang: Lang, code: string, message: string): string {
  const entry = ERROR_TEXT[code];
  if (!entry) return message;
  const name = lang === 'zh-CN' ? entry.zh : entry.en;
  return lang === 'zh-CN' && message ? `${name}（${message}）` : message || name;
}

/** Money from integer fen: ¥12.30. */
export const money = (fen: number): string =>
  `${fen < 0 ? '-' : ''}¥${(Math.abs(fen) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/** Times as staff in the community read them: Asia/Shanghai, whatever the browser's zone. */
export function dateTime(lang: Lang, at: number | string | null): string {
  if (at === null) return '—';
  let f = dateFormats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'zh-CN' ? 'zh-CN' : 'en-GB', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    });
    dateFormats.set(lang, f);
  }
  return f.format(typeof at === 'number' ? at : Date.parse(at));
}

/** Today's midnight in Shanghai, as an instant. */
export function shanghaiMidnight(now = Date.now()): Date {
  const offset = 8 * 3600_000;
  return new Date(Math.floor((now + offset) / 86_400_000) * 86_400_000 - offset);
}
