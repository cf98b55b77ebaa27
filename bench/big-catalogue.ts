import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { demoFixture } from '../gateway/redemption/demo-fixture.ts';
import { seededRng } from '../sim/src/prng.ts';

const DAY = 86_400_000;

/** What the big-catalogue file holds, so the bench can say what it measured. */
export interface BigCatalogue {
  file: string;
  members: number;
  benefits: number;
  credentials: number;
  /** Plain card UIDs, one per member, for load generators that pay with cards. */
  cards: string[];
}

/**
 * Writes a fixture of a large community (the demo's merchants and campaigns; `members` members with
 * `benefitsPerMember` benefits and two credentials each: a plain card and a phone QR) as JSON, streamed,
 * so the generator itself never holds the whole document.
 */
export async function writeBigCatalogue(
  file: string,
  o: { members: number; benefitsPerMember: number; now: number; seed?: number },
): Promise<BigCatalogue> {
  const demo = demoFixture({ members: 3, now: o.now });
  const campaigns = demo.campaigns ?? [];
  // campaigns a member holds an instance of; always-on ones need none
  const issuable = campaigns.filter((c) => c.usage.type !== 'always_on' && !(c.grants ?? []).length);
  const rng = seededRng(o.seed ?? 11);
  const hex = (bytes: number) => {
    let s = '';
    for (let i = 0; i < bytes; i++)
      s += Math.floor(rng() * 256)
        .toString(16)
        .padStart(2, '0');
    return s.toUpperCase();
  };
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(`{"merchants":${JSON.stringify(demo.merchants)},"campaigns":${JSON.stringify(campaigns)},"members":[`);
  const cards: string[] = [];
  const tiers = ['regular', 'regular', 'silver', 'gold'];
  let benefitCount = 0;
  for (let i = 1; i <= o.members; i++) {
    const id = `m-${String(i).padStart(6, '0')}`;
    const uid = `04${hex(6)}`;
    cards.push(uid);
    const benefits = [];
    for (let j = 0; j < o.benefitsPerMember; j++) {
      const c = issuable[(i + j) % issuable.length];
      if (!c) break;
      const uses = c.usage.type === 'punch_card' ? { usesLeft: 1 + Math.floor(rng() * c.usage.uses) } : {};
      benefits.push({ id: `b-${id}-${j}`, campaignId: c.id, expiresAt: o.now + (30 + j) * DAY, ...uses });
    }
    const member = {
      id,
      tier: tiers[i % tiers.length],
      birthdayMonth: 1 + (i % 12),
      lastActiveDate: new Date(o.now - (i % 20) * DAY).toISOString().slice(0, 10),
      segments: [],
      walletFen: Math.floor(rng() * 500) * 100,
      points: Math.floor(rng() * 2000),
      cards: [
        { type: 'uid', uid },
        { type: 'qr', credentialId: hex(16) },
      ],
      benefits,
    };
    benefitCount += benefits.length;
    await write(`${i > 1 ? ',' : ''}${JSON.stringify(member)}`);
  }
  await write('],"family":[],"hotlist":[]}');
  out.end();
  await once(out, 'finish');
  return {
    file,
    members: o.members,
    benefits: benefitCount,
    credentials: o.members * 2,
    cards,
  };
}
