import type { KindCodes } from '../../firmware-protocol/src/catalogue/text.ts';

/** The codes the vending machine's own health rules emit (adapter.ts) [FWP-7.3]; the catalogue merges them. */
export const vendingMachineCodes = {
  health: {
    TOO_WARM: { wire: true, zh: '冷藏温度过高', en: 'Too warm for refrigerated goods' },
    SOLD_OUT: { wire: true, zh: '有货道已售罄', en: 'Some slots are sold out' },
  },
} as const satisfies KindCodes;
