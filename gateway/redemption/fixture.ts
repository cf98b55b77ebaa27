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

/** `linli load FILE`: everything the cloud will later sync, as one validated document. */
export const FixtureSchema = z
  .object({
    merchants: z.array(z.object({ id: Id, name: z.string().min(1).max(100) }).strict()).default([]),
    campaigns: z.array(CampaignSchema).default([]),
    members: z.array(FixtureMemberSchema).default([]),
    family: z
      .array(
        z
          .object({
            memberId: Id,
            payerId: Id,
            perTxnFen: z.number().int().nonnegative(),
            perDayFen: z.number().int().nonnegative(),
            perMonthFen: z.number().int().nonnegative(),
          })
          .strict(),
      )
      .default([]),
    /** Lost cards: blocked from the moment this loads. */
    hotlist: z.array(CardSchema).default([]),
  })
  .strict()
  .superRefine((f, ctx) => {
    const campaigns = new Set(f.campaigns.map((c) => c.id));
    const members = new Set(f.members.map((m) => m.id));
    const merchants = new Set(f.merchants.map((m) => m.id));
    const dup = (ids: string[], path: string) => {
      const seen = new Set<string>();
      ids.forEach((id, i) => {
        if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [path, i, 'id'], message: `duplicate id "${id}"` });
        seen.add(id);
      });
    };
    dup(
      f.campaigns.map((c) => c.id),
      'campaigns',
    );
    dup(
      f.members.map((m) => m.id),
      'members',
    );
    f.campaigns.forEach((c, i) => {
      for (const g of c.grants)
        if (!campaigns.has(g))
          ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'grants'], message: `unknown campaign "${g}"` });
      for (const m of c.rules.merchants ?? [])
        if (!merchants.has(m))
          ctx.addIssue({
            code: 'custom',
            path: ['campaigns', i, 'rules', 'merchants'],
            message: `unknown merchant "${m}"`,
          });
    });
    f.members.forEach((m, i) =>
      m.benefits.forEach((b, j) => {
        if (!campaigns.has(b.campaignId))
          ctx.addIssue({
            code: 'custom',
            path: ['members', i, 'benefits', j, 'campaignId'],
            message: `unknown campaign "${b.campaignId}"`,
          });
      }),
    );
    f.family.forEach((p, i) => {
      if (!members.has(p.memberId))
        ctx.addIssue({ code: 'custom', path: ['family', i, 'memberId'], message: `unknown member "${p.memberId}"` });
      if (!members.has(p.payerId))
        ctx.addIssue({ code: 'custom', path: ['family', i, 'payerId'], message: `unknown member "${p.payerId}"` });
      if (p.memberId === p.payerId)
        ctx.addIssue({ code: 'custom', path: ['family', i], message: 'a member cannot pay for themselves by proxy' });
    });
  });
export type Fixture = z.infer<typeof FixtureSchema>;

/** The identifier a card is hashed by. */
export function cardIdentifier(card: Card): { type: 'uid' | 'sun' | 'qr'; id: string } {
  return card.type === 'qr' ? { type: 'qr', id: card.credentialId } : { type: card.type, id: card.uid };
}
