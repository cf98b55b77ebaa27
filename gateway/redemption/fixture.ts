import * as z from 'zod';
import { CampaignSchema, MemberSchema } from './domain/model.ts';

const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/);
const Hex = (bytes: number[]) =>
  z
    .string()
    .transform((s) => s.replace(/[\s:-]/g, '').toUpperCase())
    .refine((s) => /^[0-9A-F]+$/.test(s) && bytes.includes(s.length / 2), `expected ${bytes.join(', ')} bytes of hex`);

/** A card or code that identifies a member. Identifiers are hashed with the gateway's pepper on load. */
export const CardSchema = z.discriminatedUnion('type', [
  /** Plain NFC UID card: clonable, so a low-trust credential with caps. */
  z.object({ type: z.literal('uid'), uid: Hex([4, 7, 10]) }).strict(),
  /** NTAG 424 DNA card with Secure Unique NFC messages. */
  z.object({ type: z.literal('sun'), uid: Hex([7]) }).strict(),
  /** A cloud-signed QR credential on the member's phone. */
  z.object({ type: z.literal('qr'), credentialId: Hex([16]) }).strict(),
]);
export type Card = z.infer<typeof CardSchema>;

export const FixtureMemberSchema = MemberSchema.extend({
  walletFen: z.number().int().nonnegative().default(0),
  points: z.number().int().nonnegative().default(0),
  cards: z.array(CardSchema).max(10).default([]),
  benefits: z
    .array(
      z
        .object({
          id: Id,
          campaignId: Id,
          usesLeft: z.number().int().nonnegative().optional(),
          expiresAt: z.number().int().optional(),
          /** The coupon's scannable code [FWP-11.8]; stored only as a keyed hash. */
          couponCode: z
            .string()
            .regex(/^LC[0-9A-Za-z]{10,30}$/, 'expected a coupon code "LC…"')
            .optional(),
        })
        .strict(),
    )
    .max(200)
    .default([]),
});

export const FixtureMerchantSchema = z.object({ id: Id, name: z.string().min(1).max(100) }).strict();
export const FixtureFamilySchema = z
  .object({
    memberId: Id,
    payerId: Id,
    perTxnFen: z.number().int().nonnegative(),
    perDayFen: z.number().int().nonnegative(),
    perMonthFen: z.number().int().nonnegative(),
  })
  .strict();

/** Each top-level array of a fixture and the schema of one of its elements. */
export const FIXTURE_SECTIONS = {
  merchants: FixtureMerchantSchema,
  campaigns: CampaignSchema,
  members: FixtureMemberSchema,
  family: FixtureFamilySchema,
  /** Lost cards: blocked from the moment this loads. */
  hotlist: CardSchema,
} as const;

type Path = (string | number)[];

/**
 * A fixture's cross-references (benefits to campaigns, campaigns to merchants and campaigns, family links
 * to members) and duplicate ids, collected element by element and resolved at the end: a streamed file
 * may list its members before its campaigns. Holds ids, not elements.
 */
export class FixtureRefs {
  private readonly known = { campaign: new Set<string>(), member: new Set<string>(), merchant: new Set<string>() };
  /** Up to a few places that name each id, per kind: enough to point at, bounded for a million benefits. */
  private readonly wanted = new Map<string, { kind: keyof FixtureRefs['known']; id: string; paths: Path[] }>();
  private readonly issues: { path: Path; message: string }[] = [];

  merchant(m: { id: string }): void {
    this.known.merchant.add(m.id);
  }

  campaign(c: { id: string; grants: string[]; rules: { merchants?: string[] | undefined } }, i: number): void {
    this.add('campaign', c.id, ['campaigns', i, 'id']);
    for (const g of c.grants) this.want('campaign', g, ['campaigns', i, 'grants']);
    for (const m of c.rules.merchants ?? []) this.want('merchant', m, ['campaigns', i, 'rules', 'merchants']);
  }

  member(m: { id: string; benefits: { campaignId: string }[] }, i: number): void {
    this.add('member', m.id, ['members', i, 'id']);
    m.benefits.forEach((b, j) => this.want('campaign', b.campaignId, ['members', i, 'benefits', j, 'campaignId']));
  }

  family(p: { memberId: string; payerId: string }, i: number): void {
    this.want('member', p.memberId, ['family', i, 'memberId']);
    this.want('member', p.payerId, ['family', i, 'payerId']);
    if (p.memberId === p.payerId)
      this.issues.push({ path: ['family', i], message: 'a member cannot pay for themselves by proxy' });
  }

  /** Every problem found, once all elements are seen. */
  finish(): { path: Path; message: string }[] {
    const unknown = [...this.wanted.values()].flatMap((w) =>
      this.known[w.kind].has(w.id) ? [] : w.paths.map((path) => ({ path, message: `unknown ${w.kind} "${w.id}"` })),
    );
    return [...this.issues, ...unknown];
  }

  private add(kind: 'campaign' | 'member', id: string, path: Path): void {
    if (this.known[kind].has(id)) this.issues.push({ path, message: `duplicate id "${id}"` });
    this.known[kind].add(id);
  }

  private want(kind: keyof FixtureRefs['known'], id: string, path: Path): void {
    const key = `${kind}\u0000${id}`;
    const w = this.wanted.get(key) ?? { kind, id, paths: [] };
    if (w.paths.length < 5) w.paths.push(path);
    this.wanted.set(key, w);
  }
}

/** `linli load FILE`: everything the cloud will later sync, as one validated document. */
export const FixtureSchema = z
  .object({
    merchants: z.array(FixtureMerchantSchema).default([]),
    campaigns: z.array(CampaignSchema).default([]),
    members: z.array(FixtureMemberSchema).default([]),
    family: z.array(FixtureFamilySchema).default([]),
    hotlist: z.array(CardSchema).default([]),
  })
  .strict()
  .superRefine((f, ctx) => {
    const refs = new FixtureRefs();
    for (const m of f.merchants) refs.merchant(m);
    f.campaigns.forEach((c, i) => refs.campaign(c, i));
    f.members.forEach((m, i) => refs.member(m, i));
    f.family.forEach((p, i) => refs.family(p, i));
    for (const issue of refs.finish()) ctx.addIssue({ code: 'custom', ...issue });
  });
export type Fixture = z.infer<typeof FixtureSchema>;

/** The identifier a card is hashed by. */
export function cardIdentifier(card: Card): { type: 'uid' | 'sun' | 'qr'; id: string } {
  return card.type === 'qr' ? { type: 'qr', id: card.credentialId } : { type: card.type, id: card.uid };
}
