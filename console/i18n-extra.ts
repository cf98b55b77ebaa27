import { doorReaderCodes } from '../devices/door-reader/codes.ts';
import { ACCESS } from '../firmware-protocol/src/catalogue/access.ts';
import { ERRORS } from '../firmware-protocol/src/catalogue/errors.ts';
import type { Lang } from './i18n.ts';

/** The texts of the device actions, locker, door and token views, in both languages (same shape as TEXT). */
export const TEXT_EXTRA = {
  // device actions
  actions: ['操作', 'Actions'],
  sendCommand: ['发送指令', 'Send a command'],
  command: ['指令', 'Command'],
  commandArgs: ['参数（JSON，可选）', 'Arguments (JSON, optional)'],
  badJson: ['参数不是有效的 JSON 对象', 'The arguments are not a valid JSON object'],
  send: ['发送', 'Send'],
  sending: ['发送中…', 'Sending…'],
  commandDone: ['设备已执行', 'Done by the device'],
  latency: ['耗时', 'Latency'],
  noCommands: ['此设备没有可用指令', 'This device takes no commands'],
  disable: ['停用', 'Disable'],
  enable: ['启用', 'Enable'],
  disabled: ['已停用', 'Disabled'],
  disableConfirm: [
    '停用后设备立即断开，且无法重新连接，直到再次启用。',
    'The device is disconnected at once and cannot reconnect until it is enabled again.',
  ],
  enableConfirm: ['启用后设备可以重新连接。', 'The device may connect again.'],
  rotateSecret: ['更换密钥', 'Rotate secret'],
  rotateConfirm: [
    '旧密钥立即失效，设备会被断开，直到写入新密钥。',
    'The old secret stops working at once and the device is disconnected until it has the new one.',
  ],
  deleteDevice: ['删除设备', 'Delete device'],
  deleteConfirm: [
    '删除后设备立即断开，其记录、健康记录和密钥被删除；核销和包裹记录保留。此操作不可撤销。',
    'The device is disconnected at once; its record, health history and secret are removed; ' +
      'its redemptions and parcels stay as history. This cannot be undone.',
  ],
  typeToConfirm: ['请输入设备编号以确认', 'Type the device id to confirm'],
  deleted: ['设备已删除', 'Device deleted'],
  // secret shown once
  secretOnce: ['设备密钥（仅显示一次）', 'Device secret (shown once)'],
  secretOnceHint: [
    '请立即写入设备：关闭后无法再次查看，网关只保存其哈希。遗失时请更换密钥。',
    'Enter it into the device now: it cannot be shown again, the gateway keeps only a hash. ' +
      'If it is lost, rotate the secret.',
  ],
  qrHint: [
    '技术员可在设备的设置界面扫描此二维码（包含网关地址、端口、设备编号和密钥）。',
    "The technician scans this code in the device's setup " +
      "(it holds the gateway's address and port, the device id and the secret).",
  ],
  mqttHost: ['网关 MQTT 地址', 'Gateway MQTT host'],
  mqttPort: ['端口', 'Port'],
  mqttTls: ['TLS（8883）', 'TLS (8883)'],
  username: ['MQTT 用户名 / 客户端 ID', 'MQTT username / client id'],
  secret: ['密钥', 'Secret'],
  copy: ['复制', 'Copy'],
  copied: ['已复制', 'Copied'],
  done: ['我已保存，关闭', 'I have stored it — close'],
  // provisioning
  provision: ['添加设备', 'Provision a device'],
  provisionHint: [
    '编号：小写字母、数字和中间的短横线，例如 vm-01',
    'Id: lower-case letters, digits and inner dashes, e.g. vm-01',
  ],
  provisioned: ['设备已添加', 'Device provisioned'],
  merchantForScanner: ['所属商户（收银扫码枪）', 'Shop (for a shop scanner)'],
  optional: ['可选', 'optional'],
  kind_parcel_locker: ['快递柜', 'Parcel locker'],
  kind_vending_machine: ['售货机', 'Vending machine'],
  kind_door_reader: ['门禁', 'Door reader'],
  kind_shop_scanner: ['收银扫码枪', 'Shop scanner'],
  kind_charging_pile: ['充电桩', 'Charging pile'],
  // locker
  compartments: ['格口', 'Compartments'],
  compartment: ['格口', 'Compartment'],
  size: ['尺寸', 'Size'],
  free: ['空闲', 'Free'],
  occupied: ['已占用', 'Occupied'],
  jammed: ['卡住', 'Jammed'],
  pending: ['等待设备', 'Pending'],
  door: ['门', 'Door'],
  door_open: ['开', 'open'],
  door_closed: ['关', 'closed'],
  door_unknown: ['未知', 'unknown'],
  clearJam: ['解除卡住', 'Clear jam'],
  clearJamConfirm: [
    '请确认已有人到现场处理，格口已可正常开关。',
    'Confirm that someone freed this compartment on site and its door opens and closes again.',
  ],
  jamCleared: ['已解除', 'Cleared'],
  parcels: ['包裹', 'Parcels'],
  tracking: ['快递单号', 'Tracking number'],
  storedAt: ['入柜时间', 'Stored'],
  pickedUpAt: ['取件时间', 'Picked up'],
  codeExpiresAt: ['取件码有效期至', 'Code valid until'],
  overdue: ['超时未取', 'Overdue'],
  overdueHint: ['入柜超过设定时限或取件码已过期', 'Stored longer than the locker allows, or its code has expired'],
  onlyOpen: ['仅显示待取件', 'Waiting for pickup only'],
  reissueCode: ['重发取件码', 'Reissue pickup code'],
  reissueConfirm: [
    '生成新的取件码，旧码立即失效。新码只显示一次，请转告收件人。',
    'A new pickup code; the old one stops working at once. It is shown once: pass it on to the recipient.',
  ],
  newCode: ['新取件码（仅显示一次）', 'New pickup code (shown once)'],
  validUntil: ['有效期至', 'Valid until'],
  parcel_depositing: ['投递中', 'Depositing'],
  parcel_stored: ['待取件', 'Stored'],
  parcel_opening: ['开门中', 'Opening'],
  parcel_picked_up: ['已取件', 'Picked up'],
  parcel_deposit_failed: ['投递失败', 'Deposit failed'],
  // door
  accessLog: ['通行记录', 'Access log'],
  zone: ['区域', 'Zone'],
  subject: ['通行人', 'Who'],
  method: ['方式', 'Method'],
  decision: ['结果', 'Decision'],
  granted: ['已开门', 'Granted'],
  denied: ['已拒绝', 'Denied'],
  method_card: ['门禁卡', 'Card'],
  method_qr: ['二维码', 'QR code'],
  method_visitor_code: ['访客码', 'Visitor code'],
  visitorCode: ['访客码', 'Visitor code'],
  createVisitorCode: ['生成访客码', 'Create a visitor code'],
  visitorLabel: ['访客说明', 'Visitor (label)'],
  hostMember: ['邀请的住户编号', 'Host member id'],
  validFrom: ['生效时间', 'Valid from'],
  expiresAt: ['失效时间', 'Expires'],
  uses: ['可用次数', 'Uses'],
  maxVisitorDays: ['访客码最长有效 30 天', 'A visitor code is valid for at most 30 days'],
  visitorCodeOnce: ['访客码（仅显示一次）', 'Visitor code (shown once)'],
  create: ['生成', 'Create'],
  refresh: ['刷新', 'Refresh'],
  zoneHint: ['未设置区域的门，其区域为“设备编号/门编号”', 'A door with no zone set is its own zone, "device/door"'],
  // tokens
  tokens: ['访问令牌', 'Tokens'],
  createToken: ['新建令牌', 'Create a token'],
  label: ['说明', 'Label'],
  created: ['创建时间', 'Created'],
  lastUsed: ['最后使用', 'Last used'],
  revoke: ['吊销', 'Revoke'],
  activeVisitorCodes: ['有效的访客码', 'Visitor codes still valid'],
  revokeVisitorCode: ['作废此访客码', 'Revoke this visitor code'],
  revoked: ['已吊销', 'Revoked'],
  active: ['有效', 'Active'],
  revokeConfirm: [
    '吊销后，使用此令牌的人员或系统立即无法访问。此操作不可撤销。',
    'Whoever uses this token loses access at once. This cannot be undone.',
  ],
  tokenOnce: ['新令牌（仅显示一次）', 'New token (shown once)'],
  tokenOnceHint: [
    '请立即复制并安全地交给使用者：关闭后无法再次查看。',
    'Copy it now and hand it over safely: it cannot be shown again.',
  ],
  shopToken: [
    '商户令牌：仅能查看和退款本店核销；不能是管理员',
    "Shop token: only that shop's redemptions; never admin",
  ],
  role_viewer: ['查看', 'Viewer'],
  role_operator: ['操作员', 'Operator'],
  role_admin: ['管理员', 'Admin'],
  showRevoked: ['显示已吊销', 'Show revoked'],
  thisToken: ['当前登录', 'this session'],
} as const satisfies Record<string, readonly [string, string]>;

export type ExtraKey = keyof typeof TEXT_EXTRA;

export const tx = (lang: Lang, key: ExtraKey): string => TEXT_EXTRA[key][lang === 'zh-CN' ? 0 : 1];

/** A text of the catalogue when the key exists (kinds, statuses from the API), else the raw value. */
export function txOr(lang: Lang, key: string, fallback: string): string {
  const entry = (TEXT_EXTRA as Record<string, readonly [string, string]>)[key];
  return entry ? entry[lang === 'zh-CN' ? 0 : 1] : fallback;
}

type Catalogue = Record<string, { zh: string; en: string }>;
const REASONS: Catalogue = {
  ...(ERRORS as Catalogue),
  ...(doorReaderCodes.access as Catalogue),
  ...(ACCESS as Catalogue),
};

/** An access log's reason in the reader's language: RULE:<id>, an access code, an error code, else as logged. */
export function accessReasonText(lang: Lang, reason: string): string {
  const colon = reason.indexOf(':');
  const code = colon < 0 ? reason : reason.slice(0, colon);
  const entry = REASONS[code];
  if (!entry) return reason;
  const text = lang === 'zh-CN' ? entry.zh : entry.en;
  return colon < 0 ? text : `${text} (${reason.slice(colon + 1)})`;
}

/** The mask rules the staff API applies too (one copy: a screen and an API answer never disagree). */
export { maskName, maskPhone } from '../gateway/privacy/mask.ts';
