import { REASON_CODES } from '../../../firmware-protocol/src/catalogue/reasons.ts';
import { textsOf } from '../../../firmware-protocol/src/catalogue/text.ts';

/**
 * Why a benefit was not applied: stable codes (they go into logs, the API and device displays) with
 * messages in Chinese and English — a view of the code catalogue's `reasons` family
 * (firmware-protocol/src/catalogue/reasons.ts), which holds the codes and texts.
 */
export const REASONS = textsOf(REASON_CODES);

export type ReasonCode = keyof typeof REASON_CODES;

export interface Rejection {
  /** `c:<campaign>` for a campaign-level benefit, `i:<instance>` for one the member holds (a coupon, a card). */
  ref: string;
  campaignId: string;
  /** The benefit's name, so a device can say which one did not apply. */
  name: { zh: string; en: string };
  code: ReasonCode;
  message: { zh: string; en: string };
}

export function reject(
  c: { ref: string; campaign: { id: string; name: { zh: string; en: string } } },
  code: ReasonCode,
): Rejection {
  return { ref: c.ref, campaignId: c.campaign.id, name: c.campaign.name, code, message: REASONS[code] };
}

/**
 * Reasons about benefits that were never this member's to use (another tier, segment, birthday month):
 * true to the staff API, but noise on a device's small screen — the catalogue's reasons not on the wire.
 */
export const NOT_FOR_THIS_MEMBER: ReadonlySet<ReasonCode> = new Set(
  (Object.keys(REASON_CODES) as ReasonCode[]).filter((code) => !REASON_CODES[code].wire),
);
