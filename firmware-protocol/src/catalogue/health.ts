/**
 * [FWP-10.2] Health reason codes: what the gateway's health evaluation, its device monitor, its flows
 * and its uplink router find about a device, published in the device's retained state (`reasons`) and
 * shown to staff; a kind's own health rules declare theirs in `devices/<kind>/codes.ts`. `DEVICE_FAULT`
 * and `DEVICE_WARNING` are prefixes: the reason is `DEVICE_FAULT:<the device's own code>` [FWP-7.1].
 * `wire: false`: the gateway's own health (its outbox), never in a device's state.
 * A code, once published, keeps its meaning forever; a retired code is never reused.
 */
export const HEALTH = {
  // presence (gateway/health/evaluate.ts, device-monitor.ts) [FWP-8.3, FWP-8.4]
  DISABLED: { wire: true, zh: '设备已被工作人员停用', en: 'Disabled by staff' },
  NEVER_CONNECTED: { wire: true, zh: '设备登记后从未连接', en: 'Has never connected since it was provisioned' },
  AWAITING_RECONNECT: {
    wire: true,
    zh: '网关已重启，正在等待设备重新连接',
    en: 'Waiting for the device to reconnect after the gateway started',
  },
  NOT_RECONNECTED: { wire: true, zh: '网关重启后设备未重新连接', en: 'Has not reconnected since the gateway started' },
  OFFLINE: { wire: true, zh: '设备离线', en: 'The device is offline' },
  SHUTDOWN: { wire: true, zh: '设备已关机', en: 'The device shut down' },
  DISCONNECTED_BY_GATEWAY: { wire: true, zh: '网关已断开设备连接', en: 'Disconnected by the gateway' },
  CONNECTION_LOST: { wire: true, zh: '设备连接中断', en: 'The connection was lost' },
  HEARTBEAT_TIMEOUT: { wire: true, zh: '设备心跳超时', en: 'No heartbeat in time' },
  FLAPPING: { wire: true, zh: '设备频繁断线重连', en: 'Disconnecting and reconnecting repeatedly' },
  // what the device reports itself [FWP-7.1]
  DEVICE_FAULT: { wire: true, zh: '设备报告故障', en: 'The device reports a fault' },
  DEVICE_WARNING: { wire: true, zh: '设备报告警告', en: 'The device reports a warning' },
  // findings of the gateway's flows and router [FWP-11.5–11.7, FWP-8.2]
  DOOR_LEFT_OPEN: { wire: true, zh: '门长时间未关', en: 'A door has been left open' },
  TAMPER: { wire: true, zh: '设备外壳被打开（防拆开关）', en: 'The case is open (tamper switch)' },
  DOOR_FORCED: { wire: true, zh: '门被强行打开', en: 'A door was forced open' },
  DOOR_JAMMED: { wire: true, zh: '门锁卡住', en: 'A door is jammed' },
  COMPARTMENT_JAMMED: {
    wire: true,
    zh: '格口门卡住，暂停使用',
    en: 'A compartment door is jammed; it takes no parcels',
  },
  PARCELS_OVERDUE: { wire: true, zh: '包裹超时未取', en: 'Parcels have waited too long' },
  VEND_AFTER_VOID: {
    wire: true,
    zh: '预授权取消后仍出货（未扣款）',
    en: 'An item was dispensed after its hold was voided (not charged)',
  },
  MERCHANT_MISMATCH: {
    wire: true,
    zh: '扫码枪配置的商户与绑定的商户不符',
    en: 'The scanner is configured for another shop than the one it is bound to',
  },
  // the gateway's own alerts (gateway.alert to the cloud), never in a device's state
  OUTBOX_OVER_BUDGET: {
    wire: false,
    zh: '待上传云端的数据超出存储上限',
    en: 'Events waiting for the cloud are over their storage budget',
  },
  CLOUD_LINK_DOWN: { wire: false, zh: '与云平台的连接已中断', en: 'The link to the cloud platform is down' },
  CLOCK_UNTRUSTED: { wire: false, zh: '网关时钟不可信', en: "The gateway's clock is not trusted" },
  HOTLIST_STALE: {
    wire: false,
    zh: '挂失卡黑名单已过期，离线时可能接受已挂失的卡',
    en: 'The hotlist of lost cards is stale: a blocked card may be accepted offline',
  },
  RESTORE_RECOVERY_PENDING: {
    wire: false,
    zh: '网关从备份恢复后，尚未从云平台补回备份之后的交易',
    en: 'Restored from a backup: the payments made after the backup are not yet back from the cloud',
  },
} as const satisfies Record<string, { wire: boolean; zh: string; en: string }>;
