import { demoFixture } from '../../gateway/redemption/demo-fixture.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { memberQr, sunCard, type DemoCardKeys } from './demo-cards.ts';
import type { Resident, Residents } from './resident.ts';

interface SecureOptions {
  keys: DemoCardKeys;
  /** Where a secure card's tap counter or a QR code's time step left off (the gateway's last seen value). */
  lastCounter?: (type: 'sun' | 'qr', id: string) => number | undefined;
}

/**
 * The residents of the demo community (`linli load --demo`), hotlisted cards left out. Without `secure`,
 * the members with a plain card only (what a simulator without the community's keys can present); with
 * it, every member with what they hold: a plain card, a secure NTAG 424 card, or the member QR code.
 */
export function demoResidents(secure?: SecureOptions): Residents {
  const community = FixtureSchema.parse(demoFixture());
  const blocked = new Set(community.hotlist.map((c) => (c.type === 'qr' ? c.credentialId : c.uid)));
  const members: Resident[] = [];
  for (const m of community.members) {
    const card = m.cards.find((c) => !blocked.has(c.type === 'qr' ? c.credentialId : c.uid));
    if (!card) continue;
    if (card.type === 'uid') members.push({ id: m.id, uid: card.uid });
    else if (secure && card.type === 'sun')
      members.push({
        id: m.id,
        uid: card.uid,
        credential: sunCard(card.uid, secure.keys, secure.lastCounter?.('sun', card.uid) ?? 0),
      });
    else if (secure && card.type === 'qr')
      members.push({
        id: m.id,
        uid: card.credentialId,
        credential: memberQr(card.credentialId, m.id, secure.keys, secure.lastCounter?.('qr', card.credentialId)),
      });
  }
  return { members };
}
