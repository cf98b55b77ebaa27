import type { KindCodes } from '../../firmware-protocol/src/catalogue/text.ts';

/**
 * The codes the charging pile's own rules and flow emit (rules.ts, part.ts, charging-flow.ts), with
 * their texts; the catalogue merges them into its families [FWP-7.6, FWP-11.9].
 */
export const chargingPileCodes = {
  health: {
    OVER_CURRENT: {
      wire: true,
      zh: '插座电流超过额定值，已断电',
      en: 'A socket drew more than its rated current; it was cut',
    },
    OVER_TEMPERATURE: {
      wire: true,
      zh: '插座或充电桩温度过高，已断电',
      en: 'A socket or the pile is too hot; it was cut',
    },
    SOCKET_FAULT: { wire: true, zh: '插座故障', en: 'A socket is out of order' },
    OCCUPIED_AFTER_FULL: {
      wire: true,
      zh: '电池已充满 30 分钟仍未拔插头',
      en: 'A battery has been full for 30 minutes with the plug still in',
    },
  },
  refusals: {
    SOCKET_BUSY: { wire: true, zh: '该插座正在充电', en: 'This socket is already charging' },
    ALREADY_SETTLED: { wire: true, zh: '本次充电已结算', en: 'This charge was already settled' },
  },
} as const satisfies KindCodes;
