import type { KindCodes } from '../../firmware-protocol/src/catalogue/text.ts';

/** The codes the shop scanner's own health rules emit (adapter.ts) [FWP-7.5]; the catalogue merges them. */
export const shopScannerCodes = {
  health: {
    LOW_BATTERY: { wire: true, zh: '电量低且未在充电', en: 'Battery low and not charging' },
  },
} as const satisfies KindCodes;
