import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { FixtureMemberSchema } from '../redemption/fixture.ts';
import { CampaignSchema } from '../redemption/domain/model.ts';

const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/);
const Fingerprint = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'expected a card fingerprint: SHA-256 of "type:ID", 64 hex digits');
const CardRef = z.object({ type: z.enum(['uid', 'sun', 'qr']), fingerprint: Fingerprint }).strict();

/** [cloud] Members as the cloud sends them: cards by fingerprint only, never a card identifier. */
const CloudBenefitSchema = z
  .object({
    id: Id,
    campaignId: Id,
    expiresAt: z.number().int().optional(),
    /**
     * A lease: the uses this gateway may give (1 for a single-use coupon leased here, 0 when the lease moved
     * away). Applied only when `leaseSeq` is higher than the last one applied: a benefit used here since is
     * never handed its uses back by an old or repeated document.
     */
    usesLeft: z.number().int().nonnegative().optional(),
    leaseSeq: z.number().int().positive().optional(),
  })
  .strict()
  .refine((b) => (b.usesLeft === undefined) === (b.leaseSeq === undefined), {
    message: 'usesLeft and leaseSeq go together',
  });
const CloudMemberSchema = FixtureMemberSchema.omit({
  cards: true,
  walletFen: true,
  points: true,
  benefits: true,
}).extend({
  cards: z.array(CardRef).max(10).default([]),
  benefits: z.array(CloudBenefitSchema).max(200).default([]),
});

/** The documents the cloud keeps in step on the gateway, each versioned on its own. */
export const DOC_BODIES = {
  /** Lost and blocked cards. Signed: a forged "unblock" must never be applied. */
  hotlist: z
    .object({ block: z.array(CardRef).max(100_000).default([]), unblock: z.array(CardRef).max(100_000).default([]) })
    .strict(),
  /** Merchants, campaigns (benefit templates), members with their cards and issued benefits (coupon leases). */
  catalog: z
    .object({
      merchants: z.array(z.object({ id: Id, name: z.string().min(1).max(100) }).strict()).default([]),
      campaigns: z.array(CampaignSchema).default([]),
      members: z.array(CloudMemberSchema).max(50_000).default([]),
    })
    .strict(),
  /**
   * Wallet allowances (escrow): money the cloud set aside for spending at this gateway. A grant is
   * credited once (by its id); a release hands back what is unspent of a member's allowance.
   */
  allowances: z
    .object({
      grants: z
        .array(
          z.object({ grantId: Id, memberId: Id, amountFen: z.number().int().positive().max(100_000_000) }).strict(),
        )
        .max(50_000)
        .default([]),
      releases: z
        .array(z.object({ releaseId: Id, memberId: Id }).strict())
        .max(50_000)
        .default([]),
    })
    .strict(),
  /**
   * Settings the platform may change at run time (the rest of the configuration is the box's own):
   * limits of plain UID cards and how old a hotlist may get.
   */
  config: z
    .object({
      lowTrust: z
        .object({ perTxnFen: z.number().int().nonnegative(), perDayFen: z.number().int().nonnegative() })
        .strict()
        .optional(),
      hotlistMaxAgeH: z
        .number()
        .min(1)
        .max(24 * 30)
        .optional(),
    })
    .strict(),
  /** Campaign content for device screens (a promotion on every vending machine), pushed and tracked per device. */
  display: z
    .object({
      rollouts: z
        .array(
          z
            .object({
              id: Id,
              text: z.string().min(1).max(200),
              kinds: z.array(z.enum(['vending_machine', 'shop_scanner', 'parcel_locker'])).min(1),
              durationS: z.number().int().min(1).max(600).default(60),
            })
            .strict(),
        )
        .max(1000)
        .default([]),
    })
    .strict(),
  /** Group-buy orders (社区团购) the residents placed in the cloud app. */
  groupbuys: z
    .object({
      orders: z
        .array(
          z
            .object({
              id: Id,
              title: z.string().min(1).max(100),
              targetQty: z.number().int().min(1).max(100_000),
              closesAt: z.number().int().optional(),
              buyers: z.array(z.object({ memberId: Id, qty: z.number().int().min(1).max(1000) }).strict()).max(10_000),
            })
            .strict(),
        )
        .max(10_000)
        .default([]),
    })
    .strict(),
  /** Visitor codes residents issued in the cloud app; stored here only as keyed hashes. */
  visitors: z
    .object({
      codes: z
        .array(
          z
            .object({
              code: z.string().regex(/^\d{6,8}$/),
              zone: z.string().min(1).max(64),
              hostMemberId: Id.optional(),
              validFrom: z.number().int().nonnegative(),
              expiresAt: z.number().int().positive(),
              uses: z.number().int().min(1).max(100).optional(),
            })
            .strict(),
        )
        .max(10_000)
        .default([]),
    })
    .strict(),
} as const;

export type DocName = keyof typeof DOC_BODIES;
export const DOC_NAMES = Object.keys(DOC_BODIES) as DocName[];

/**
 * A versioned document from the cloud on `linli-cloud/v1/gw/{gw}/down/{doc}`: a full one replaces what
 * the gateway has; a delta applies on top of exactly version `base`. Applied in order, idempotently.
 */
export const DownDocSchema = z
  .object({
    v: z.literal(1),
    doc: z.enum(DOC_NAMES as [DocName, ...DocName[]]),
    kind: z.enum(['full', 'delta']),
    version: z.number().int().positive(),
    base: z.number().int().nonnegative().optional(),
    /** Cloud time: a clock hint for the gateway, and the age of a hotlist. */
    issuedAt: z.number().int().nonnegative(),
    body: z.unknown(),
    /** Ed25519 over the canonical document without `sig` (required for the hotlist). */
    kid: z.string().min(1).max(16).optional(),
    sig: z
      .string()
      .regex(/^[A-Za-z0-9_-]{86}$/)
      .optional(),
  })
  .strict()
  .refine((d) => (d.kind === 'delta') === (d.base !== undefined), {
    message: 'a delta names its base version; a full document does not',
  });

export type DownDoc = z.infer<typeof DownDocSchema>;

/** The gateway tells the cloud what it applied, and asks for a full document when a version is missing. */
export const DocAckSchema = z
  .object({
    doc: z.enum(DOC_NAMES as [DocName, ...DocName[]]),
    version: z.number().int().nonnegative(),
    resync: z.boolean(),
  })
  .strict();

const DOMAIN = 'LINLI-DOC2';
/** What is signed names the gateway too: a document for one gateway cannot be replayed to another. */
const signedBytes = (gatewayId: string, d: Omit<DownDoc, 'sig' | 'kid'>) =>
  createHash('sha256')
    .update(DOMAIN)
    .update(JSON.stringify([gatewayId, d.doc, d.kind, d.version, d.base ?? null, d.issuedAt, d.body]))
    .digest();

export function signDoc(gatewayId: string, d: Omit<DownDoc, 'sig' | 'kid'>, kid: string, key: KeyObject): DownDoc {
  return { ...d, kid, sig: sign(null, signedBytes(gatewayId, d), key).toString('base64url') };
}

export function verifyDoc(gatewayId: string, d: DownDoc, keys: ReadonlyMap<string, KeyObject>): boolean {
  if (!d.sig || !d.kid) return false;
  const key = keys.get(d.kid);
  if (!key) return false;
  const { sig: _s, kid: _k, ...rest } = d;
  return verify(null, signedBytes(gatewayId, rest), key, Buffer.from(d.sig, 'base64url'));
}
