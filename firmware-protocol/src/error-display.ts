import type { ERROR_CATALOGUE } from './errors.ts';

type WireCode = {
  [K in keyof typeof ERROR_CATALOGUE]: (typeof ERROR_CATALOGUE)[K]['wire'] extends true ? K : never;
}[keyof typeof ERROR_CATALOGUE];

/**
 * [FWP-6.2] What a device shows a resident for each error code it can receive, in both languages. Every
 * wire code has its own text (the compiler checks the table is complete), and a text never invites a
 * retry the protocol forbids: "try again" only where PROTOCOL.md says the device may retry.
 */
export const ERROR_DISPLAY: Readonly<Record<WireCode, { zh: string; en: string }>> = {
  MALFORMED_JSON: { zh: '设备故障，请联系工作人员', en: 'Device error; please ask staff' },
  SCHEMA_INVALID: { zh: '设备故障，请联系工作人员', en: 'Device error; please ask staff' },
  UNKNOWN_MESSAGE_TYPE: { zh: '设备故障，请联系工作人员', en: 'Device error; please ask staff' },
  UNKNOWN_CHANNEL: { zh: '设备故障，请联系工作人员', en: 'Device error; please ask staff' },
  PAYLOAD_TOO_LARGE: { zh: '设备故障，请联系工作人员', en: 'Device error; please ask staff' },
  UNSUPPORTED_PROTOCOL_VERSION: {
    zh: '设备版本不兼容，请联系工作人员',
    en: 'Device software not supported; please ask staff',
  },
  DEVICE_KIND_MISMATCH: { zh: '设备配置错误，请联系工作人员', en: 'Device misconfigured; please ask staff' },
  MERCHANT_MISMATCH: { zh: '设备配置错误，请联系工作人员', en: 'Device misconfigured; please ask staff' },
  NOT_BORN: { zh: '设备正在连接，请稍后再试', en: 'Device is connecting; try again in a moment' },
  COMMAND_NOT_SUPPORTED: { zh: '设备不支持该指令', en: 'The device does not support this command' },
  COMMAND_TIMEOUT: { zh: '设备未响应', en: 'The device did not respond' },
  COMMAND_REJECTED: { zh: '设备拒绝了该指令', en: 'The device refused the command' },
  COMMAND_FAILED: { zh: '设备未能执行该指令', en: 'The device could not carry out the command' },
  RATE_LIMITED: { zh: '操作过于频繁，请稍后再试', en: 'Too many requests; try again in a moment' },
  INTERNAL_ERROR: { zh: '系统繁忙，请稍后再试', en: 'The system is busy; try again in a moment' },
  MEMBER_NOT_FOUND: { zh: '卡片未登记，请联系物业', en: 'Card not registered; please ask the property office' },
  REDEMPTION_NOT_FOUND: { zh: '未找到该笔交易', en: 'Transaction not found' },
  REDEMPTION_STATE: { zh: '该笔交易无法再操作', en: 'This transaction cannot be changed' },
  CARD_BLOCKED: {
    zh: '此卡已挂失，请联系物业',
    en: 'This card is blocked (reported lost); please ask the property office',
  },
  CARD_REPLAYED: { zh: '请重新刷卡或刷新二维码', en: 'Tap the card again or refresh the QR code' },
  CREDENTIAL_INVALID: { zh: '无法识别，请重新刷卡或扫码', en: 'Not recognised; tap or scan again' },
  OPERATION_NOT_ALLOWED: { zh: '此设备不能办理该业务', en: 'This device cannot do that' },
  TXN_REUSED: { zh: '交易编号重复，请重新开始', en: 'Duplicate transaction; please start again' },
};

export type WireErrorCode = WireCode;
