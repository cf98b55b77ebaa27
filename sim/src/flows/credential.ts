import type { WireCredential } from '../../../firmware-protocol/src/messages/credential.ts';

/**
 * What a resident presents at a device: a plain card's UID (a string), or a credential such as a
 * secure card's tap or a member QR code. A function makes a fresh one per use (a SUN tap counts up, a
 * QR code follows the clock), so a simulated resident never presents the same tap twice.
 */
export type Presented = string | WireCredential | (() => WireCredential);

export function present(who: Presented): WireCredential {
  if (typeof who === 'string') return { type: 'uid', uid: who };
  return typeof who === 'function' ? who() : who;
}
