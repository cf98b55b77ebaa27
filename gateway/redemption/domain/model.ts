import * as z from 'zod';
import { KindNameSchema } from '../../../firmware-protocol/src/kinds/device-id.ts';

const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');
const FenSchema = z.number().int().nonnegative();
const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM, 24-hour');
const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** A member as the gateway knows them: pseudonymous, no name or phone number (PIPL data minimisation). */
export const MemberSchema = z
  .object({
    id: Id,
    tier: z.string().min(1).max(32).default('regular'),
    birthdayMonth: z.number().int().min(1).max(12).optional(),
    lastActiveDate: LocalDate.optional(),
    familyGroupId: Id.optional(),
    segments: z.array(z.string().min(1).max(32)).max(32).default([]),
    /** The stored-value card's kind (gateway/prepaid): 实名 registered, or anonymous; absent reads as anonymous. */
    cardType: z.enum(['registered', 'anonymous']).optional(),
  })
  .strict();
export type Member = z.infer<typeof MemberSchema>;

/** A line of a purchase: a product, its unit price and quantity. */
const PurchaseItemSchema = z
  .object({
    productId: Id,
    unitPriceFen: FenSchema,
    qty: z.number().int().min(1).max(100),
    category: z.string().max(32).optional(),
  })
  .strict();

/** What is being bought, where and when. A shop scanner sends only the bill amount; a vending machine the item. */
const PurchaseSchema = z
  .object({
    merchantId: Id,
    deviceId: Id.optional(),
    deviceKind: KindNameSchema.optional(),
    items: z.array(PurchaseItemSchema).max(100).default([]),
    amountFen: FenSchema.optional(),
    at: z.number().int().nonnegative(),
  })
  .strict()
  .refine((p) => p.items.length > 0 || p.amountFen !== undefined, { message: 'a purchase needs items or an amount' });
export type Purchase = z.infer<typeof PurchaseSchema>;

/** [Effects] what a benefit does to the price. */
const EffectSchema = z.discriminatedUnion('type', [
  /** 满50减10: off the order once the running total reaches the threshold. */
  z.object({ type: z.literal('amount_off'), thresholdFen: FenSchema.default(0), offFen: FenSchema.min(1) }).strict(),
  /** 会员日8折 = 20% off, with an optional cap on the saving. */
  z
    .object({ type: z.literal('percent_off'), percent: z.number().int().min(1).max(99), capFen: FenSchema.optional() })
    .strict(),
  /** 第二件半价: every n-th unit of a scoped product at `percent` off. */
  z
    .object({
      type: z.literal('nth_item'),
      n: z.number().int().min(2).max(10),
      percent: z.number().int().min(1).max(100),
    })
    .strict(),
  /** A set price for scoped products, e.g. the morning breakfast package at 9.90 yuan. */
  z
    .object({
      type: z.literal('fixed_price'),
      priceFen: FenSchema,
      maxUnits: z.number().int().min(1).max(10).default(1),
    })
    .strict(),
  /** One scoped unit free: a punch-card reward, a period-card item, points for a box of eggs. */
  z.object({ type: z.literal('free_item'), maxUnits: z.number().int().min(1).max(10).default(1) }).strict(),
]);

/** How a benefit is held and used up. */
const UsageSchema = z.discriminatedUnion('type', [
  /** Always on for eligible members (tier discounts, member day): no instance needed. */
  z.object({ type: z.literal('always_on') }).strict(),
  /** One use per issued instance (a coupon). */
  z.object({ type: z.literal('single_use') }).strict(),
  /** N uses per day/week/month, e.g. the weekly fresh-food card (社区生鲜周卡). */
  z
    .object({
      type: z.literal('period_card'),
      usesPerPeriod: z.number().int().min(1).max(100),
      period: z.enum(['day', 'week', 'month']),
    })
    .strict(),
  /** N uses in total (punch card). */
  z.object({ type: z.literal('punch_card'), uses: z.number().int().min(1).max(1000) }).strict(),
  /** Once per year, in the member's birthday month. */
  z.object({ type: z.literal('birthday_gift') }).strict(),
  /** For members inactive for at least N days; once per return. */
  z.object({ type: z.literal('welcome_back'), inactiveDays: z.number().int().min(1).max(3650) }).strict(),
  /** Bought with points (积分兑换), always on for members with enough points. */
  z.object({ type: z.literal('points_exchange'), pointsCost: z.number().int().min(1) }).strict(),
]);
export type Usage = z.infer<typeof UsageSchema>;

/** [Rules] named conditions; each failing one gives its own reason code. */
const RulesSchema = z
  .object({
    validFrom: z.number().int().optional(),
    validTo: z.number().int().optional(),
    daysOfWeek: z.array(z.number().int().min(1).max(7)).min(1).optional(),
    hours: z
      .array(z.object({ from: HhMm, to: HhMm }).strict())
      .min(1)
      .optional(),
    merchants: z.array(Id).min(1).optional(),
    devices: z.array(Id).min(1).optional(),
    /** Kinds by name (the device registry's); a kind this gateway does not know never matches. */
    deviceKinds: z.array(KindNameSchema).min(1).optional(),
    products: z.array(Id).min(1).optional(),
    minSpendFen: FenSchema.optional(),
    tiers: z.array(z.string().min(1)).min(1).optional(),
    segments: z.array(z.string().min(1)).min(1).optional(),
    perMemberLimit: z
      .object({ count: z.number().int().min(1), period: z.enum(['day', 'week', 'month', 'campaign']) })
      .strict()
      .optional(),
    budget: z
      .object({ count: z.number().int().min(1).optional(), amountFen: FenSchema.min(1).optional() })
      .strict()
      .optional(),
  })
  .strict()
  .default({});

/** A benefit template (campaign): what it does, how it is used, when it applies and how it stacks. */
export const CampaignSchema = z
  .object({
    id: Id,
    name: z.object({ zh: z.string().min(1).max(100), en: z.string().min(1).max(100) }).strict(),
    effect: EffectSchema,
    usage: UsageSchema,
    rules: RulesSchema,
    /** At most one benefit of a category per purchase; `exclusive` ones combine with nothing. */
    category: z.string().min(1).max(32).default('coupon'),
    exclusive: z.boolean().default(false),
    /** Higher first when savings tie. */
    priority: z.number().int().min(0).max(1000).default(0),
    /** Cross-merchant bundle: a capture of this benefit issues one instance of each of these campaigns. */
    grants: z.array(Id).max(10).default([]),
  })
  .strict();
export type Campaign = z.infer<typeof CampaignSchema>;

/** A benefit issued to one member (coupon, card, gift). Always-on and points-exchange campaigns need none. */
const BenefitInstanceSchema = z
  .object({
    id: Id,
    campaignId: Id,
    memberId: Id,
    issuedAt: z.number().int(),
    expiresAt: z.number().int().optional(),
    /** For single-use and punch cards: what is left. */
    usesLeft: z.number().int().nonnegative().optional(),
    status: z.enum(['active', 'used', 'expired', 'revoked']).default('active'),
  })
  .strict();
export type BenefitInstance = z.infer<typeof BenefitInstanceSchema>;

/** Points accrual: points per yuan paid, multiplied by tier. */
export const AccrualSchema = z
  .object({
    pointsPerYuan: z.number().int().min(0).max(100).default(1),
    tierMultipliers: z.record(z.string(), z.number().min(0).max(10)).default({}),
  })
  .strict();
export type Accrual = z.infer<typeof AccrualSchema>;
