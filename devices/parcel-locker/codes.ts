import type { KindCodes } from '../../firmware-protocol/src/catalogue/text.ts';

/** The codes the parcel locker's own health rules emit (adapter.ts) [FWP-7.2]; the catalogue merges them. */
export const parcelLockerCodes = {
  health: {
    LOCKER_FULL: { wire: true, zh: '所有格口均已占用', en: 'Every compartment is occupied' },
  },
} as const satisfies KindCodes;
