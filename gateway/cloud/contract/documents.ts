import * as z from 'zod';
import { DeviceKindSchema } from '../../../firmware-protocol/src/kinds/device-kind.ts';
import { kindSupportsCommand } from '../../../firmware-protocol/src/messages/commands.ts';
import { CampaignSchema } from '../../redemption/domain/model.ts';
import { FixtureMemberSchema } from '../../redemption/fixture.ts';
import { EpochMsSchema, IdSchema } from './common.ts';
import { GrantSchema } from './envelopes.ts';
import { GroupBuysDocSchema, VisitorsDocSchema } from './kind-documents.ts';
import { RestoreDocSchema } from './events-restore.ts';

const Fingerprint = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'expected a card fingerprint: SHA-256 of "type:ID", 64 hex digits');
/** [CLP-5.5] A card as the cloud names it: by fingerprint only, never by its identifier. */
const CardRefSchema = z.object({ type: z.enum(['uid', 'sun', 'qr']), fingerprint: Fingerprint }).strict();

/** [CLP-5.6] A benefit issued to a member, with an optional lease of its uses. */
const CloudBenefitSchema = z
  .object({
    id: IdSchema,
    campaignId: IdSchema,
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

/** [CLP-5.6] Members as the cloud sends them: cards by fingerprint only, never a card identifier. */
const CloudMemberSchema = FixtureMemberSchema.omit({
  cards: true,
  walletFen: true,
  points: true,
  benefits: true,
}).extend({
  cards: z.array(CardRefSchema).max(10).default([]),
  benefits: z.array(CloudBenefitSchema).max(200).default([]),
});

/** [CLP-5.9] The kinds a rollout is for: only kinds that can show a message (`display_message` [FWP-9.2]). */
const DisplayKindsSchema = z
  .array(DeviceKindSchema)
  .min(1)
  .refine((kinds) => kinds.every((k) => kindSupportsCommand(k, 'display_message')), {
    message: 'a rollout names only kinds with a screen (display_message [FWP-9.2])',
  });

/** The documents the cloud keeps in step on the gateway, each versioned on its own [CLP-5]. */
export const DOC_BODIES = {
  /** [CLP-5.5] Lost and blocked cards. A forged "unblock" must never be applied: like every document, signed. */
  hotlist: z
    .object({
      block: z.array(CardRefSchema).max(100_000).default([]),
      unblock: z.array(CardRefSchema).max(100_000).default([]),
    })
    .strict(),
  /**
   * [CLP-5.6] Merchants, campaigns (benefit templates), members with their cards and issued benefits (coupon leases).
   */
  catalog: z
    .object({
      merchants: z.array(z.object({ id: IdSchema, name: z.string().min(1).max(100) }).strict()).default([]),
      campaigns: z.array(CampaignSchema).default([]),
      members: z.array(CloudMemberSchema).max(50_000).default([]),
    })
    .strict(),
  /**
   * [CLP-5.7] Wallet allowances (escrow): money the cloud set aside for spending at this gateway. A grant is
   * credited once (by its id); a release hands back what is unspent of a member's allowance.
   */
  allowances: z
    .object({
      grants: z.array(GrantSchema).max(50_000).default([]),
      releases: z
        .array(z.object({ releaseId: IdSchema, memberId: IdSchema }).strict())
        .max(50_000)
        .default([]),
    })
    .strict(),
  /**
   * [CLP-5.8] Settings the platform may change at run time (the rest of the configuration is the box's own):
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
  /**
   * [CLP-5.9] Campaign content for device screens (a promotion
   * on every vending machine), pushed and tracked per device.
   */
  display: z
    .object({
      rollouts: z
        .array(
          z
            .object({
              id: IdSchema,
              text: z.string().min(1).max(200),
              kinds: DisplayKindsSchema,
              durationS: z.number().int().min(1).max(600).default(60),
            })
            .strict(),
        )
        .max(1000)
        .default([]),
    })
    .strict(),
  groupbuys: GroupBuysDocSchema,
  visitors: VisitorsDocSchema,
  /** [CLP-5.12] What a restored database lacks of the epoch it was restored from. */
  restore: RestoreDocSchema,
} as const;

export type DocName = keyof typeof DOC_BODIES;
export const DOC_NAMES = Object.keys(DOC_BODIES) as DocName[];
const DocNameSchema = z.enum(DOC_NAMES as [DocName, ...DocName[]]);
/** [CLP-5.8] The run-time settings a `config` document carries. */
export type CloudSettings = z.infer<(typeof DOC_BODIES)['config']>;

const downDocShape = {
  v: z.literal(1),
  doc: DocNameSchema,
  kind: z.enum(['full', 'delta']),
  version: z.number().int().positive(),
  /** A delta's base: the version it applies on top of. */
  base: z.number().int().nonnegative().optional(),
  /** Cloud time: a clock hint for the gateway [CLP-7.1], and the age of a hotlist. */
  issuedAt: EpochMsSchema,
  body: z.unknown(),
  /** [CLP-5.2] Ed25519 over the canonical document without `kid` and `sig`; required on every document. */
  kid: z.string().min(1).max(16).optional(),
  sig: z
    .string()
    .regex(/^[A-Za-z0-9_-]{86}$/)
    .optional(),
};
const baseNamed = (d: { kind: 'full' | 'delta'; base?: number | undefined }) =>
  (d.kind === 'delta') === (d.base !== undefined);
const baseRule = { message: 'a delta names its base version; a full document does not' };

/**
 * [CLP-5.1] A versioned document from the cloud on `down/{doc}`: a full one replaces what the gateway has;
 * a delta applies on top of exactly version `base`. Applied in order, idempotently [CLP-5.3].
 */
export const DownDocSchema = z.object(downDocShape).strict().refine(baseNamed, baseRule);
export type DownDoc = z.infer<typeof DownDocSchema>;

/** One document with its body checked: what the platform publishes on `down/{doc}`. */
export function documentOf<D extends DocName>(doc: D) {
  return z
    .object({ ...downDocShape, doc: z.literal(doc), body: DOC_BODIES[doc] })
    .strict()
    .refine(baseNamed, baseRule);
}

/** [CLP-5.4] The gateway tells the cloud what it applied, and asks for a full document when a version is missing. */
export const DocAckSchema = z
  .object({
    doc: DocNameSchema,
    version: z.number().int().nonnegative(),
    resync: z.boolean(),
  })
  .strict();
export type DocAck = z.infer<typeof DocAckSchema>;
