import type { KindCodes } from '../../firmware-protocol/src/catalogue/text.ts';

/**
 * The gateway box's own hardware (its NFC reader, GPIO and tamper switch): a code for every state of a
 * component that is not `ok`, `BOX_<COMPONENT>_<STATE>`, for the staff dashboard. Never in a device's
 * state: the box is the gateway itself.
 */
export const boxCodes = {
  health: {
    BOX_NFC_STARTING: { wire: false, zh: '网关读卡器正在启动', en: 'The gateway’s NFC reader is starting' },
    BOX_NFC_UNAVAILABLE: {
      wire: false,
      zh: '网关读卡器不可用（未连接或服务未运行）',
      en: 'The gateway’s NFC reader is unavailable (not attached, or its service is not running)',
    },
    BOX_NFC_DISABLED: {
      wire: false,
      zh: '网关读卡器已在配置中关闭',
      en: 'The gateway’s NFC reader is turned off in config',
    },
    BOX_GPIO_STARTING: { wire: false, zh: '网关 GPIO 正在启动', en: 'The gateway’s GPIO is starting' },
    BOX_GPIO_UNAVAILABLE: {
      wire: false,
      zh: '网关 GPIO 不可用（门锁继电器、指示灯或防拆开关）',
      en: 'The gateway’s GPIO is unavailable (door relay, LED or tamper switch)',
    },
    BOX_GPIO_DISABLED: {
      wire: false,
      zh: '网关 GPIO 已在配置中关闭',
      en: 'The gateway’s GPIO is turned off in config',
    },
    BOX_TAMPER_OPEN: { wire: false, zh: '网关机箱被打开（防拆开关）', en: 'The gateway box is open (tamper switch)' },
  },
} as const satisfies KindCodes;

/** The code of a box component's state (`nfc` `unavailable` → `BOX_NFC_UNAVAILABLE`); undefined when it is ok. */
export function boxHealthCode(component: string, state: string): string | undefined {
  return state === 'ok' ? undefined : `BOX_${component.toUpperCase()}_${state.toUpperCase()}`;
}
