import type { WireCredential } from '../../firmware-protocol/src/messages/credential.ts';
import type { Presented } from './flows/credential.ts';

/** A member of the community the gateway holds, as a scenario sees them. */
export interface Resident {
  id: string;
  /** The member's plain NFC card (its UID), tapped when they have nothing more secure. */
  uid: string;
  /**
   * A secure card's tap (NTAG 424 DNA SUN) or a member QR code, fresh for each use. Absent: the resident
   * has only the plain card, which the gateway caps (a UID can be cloned), so they keep to small bills.
   */
  credential?: () => WireCredential;
}

/** The residents a scenario acts for: members of the community the gateway holds. */
export interface Residents {
  members: readonly Resident[];
}

/** What the resident presents at a device: the secure credential when they have one, else the plain card. */
export function presentedBy(r: Resident): Presented {
  return r.credential ?? r.uid;
}

/** Whether the resident pays with a plain, capped card. */
export function plainCard(r: Resident): boolean {
  return r.credential === undefined;
}
