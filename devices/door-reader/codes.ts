import type { KindCodes } from '../../firmware-protocol/src/catalogue/text.ts';

/**
 * The codes the door reader's own rules emit: the access policy's denials (access-policy.ts), a
 * reader's `declineCode` and its access log's reason [FWP-11.6]. Its tamper finding (adapter.ts) is
 * every kind's `TAMPER`, in the catalogue's health family. The catalogue merges these.
 */
export const doorReaderCodes = {
  access: {
    NO_ACCESS: { wire: true, zh: '无通行权限', en: 'No access here' },
    OUTSIDE_HOURS: { wire: true, zh: '不在通行时段', en: 'Not at this time' },
    ACCESS_EXPIRED: { wire: true, zh: '通行权限已过期', en: 'Access has expired' },
  },
} as const satisfies KindCodes;
