import { demoFixture } from '../../gateway/redemption/demo-fixture.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import type { Residents } from './scenarios.ts';

/** The residents of the demo community (`linli load --demo`): each member with their plain card, hotlisted cards left out. */
export function demoResidents(): Residents {
  const community = FixtureSchema.parse(demoFixture());
  const blocked = new Set(community.hotlist.map((c) => (c.type === 'qr' ? c.credentialId : c.uid)));
  return {
    members: community.members.flatMap((m) => {
      const card = m.cards.find((c) => c.type === 'uid' && !blocked.has(c.uid));
      return card && card.type === 'uid' ? [{ id: m.id, uid: card.uid }] : [];
    }),
  };
}
