import * as z from 'zod';
import { EnvelopeShape, MessageIdSchema, TransactionIdSchema } from '../envelope.ts';

const Fen = z.number().int().nonnegative().max(100_000_000);

const Name = z.object({ zh: z.string(), en: z.string() });

/** [FWP-11.3] The gateway's answer on down/response; `corr` is the request's id, `txn` echoes it. */
export const ResponseBodySchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ok'),
    op: z.string(),
    decision: z.enum(['approved', 'declined', 'none']),
    declineCode: z.string().optional(),
    redemptionId: z.string().optional(),
    state: z.string().optional(),
    subtotalFen: Fen.optional(),
    savingFen: Fen.optional(),
    payableFen: Fen.optional(),
    pointsEarned: z.number().int().optional(),
    /** Who pays `payableFen`: the member's wallet, a family payer's, or `none`: collect it at the till. */
    paidBy: z.enum(['own', 'proxy', 'none']).optional(),
    applied: z.array(z.object({ name: Name, savingFen: Fen })).optional(),
    /**
     * [FWP-11.3] Why the resident's other benefits did not apply (theirs first; at most 5): the benefit's
     * name when known, a stable reason code and the reason in both languages.
     */
    notApplied: z
      .array(z.object({ name: Name.optional(), code: z.string(), reason: Name }))
      .max(5)
      .optional(),
    member: z
      .object({
        tier: z.string(),
        walletFen: Fen,
        points: z.number().int(),
        benefits: z.array(z.object({ name: Name, usesLeft: z.number().int().optional() })),
      })
      .optional(),
    /** [FWP-11.4] vend_begin: what the resident can spend in this session (wallet, capped for plain cards). */
    fundsFen: Fen.optional(),
    /** [FWP-11.5] Compartments the locker must open now (deposit: the one assigned; pickup: all of the member's). */
    open: z.array(z.object({ compartment: z.string(), size: z.string().optional() })).optional(),
    /** [FWP-11.6] Door to release and for how long. */
    unlock: z.object({ door: z.string(), pulseMs: z.number().int().positive() }).optional(),
    /** [FWP-11.5] Keypad locked after too many wrong codes, until this wall time (ms). */
    lockedUntil: z.number().int().optional(),
    /** [FWP-11.6] Points credited for an activity check-in. */
    pointsAwarded: z.number().int().optional(),
    /** What the device should show, in both languages. */
    display: Name,
  }),
  z.object({
    status: z.literal('error'),
    op: z.string().optional(),
    code: z.string(),
    message: z.string(),
    /**
     * With REDEMPTION_STATE: why, e.g. ALREADY_REVERSED,
     * REVERSAL_WINDOW_CLOSED, VEND_IN_PROGRESS, NO_SESSION [FWP-6.2].
     */
    refusal: z.string().optional(),
    display: Name,
  }),
]);

/** A response always echoes the request's id (`corr`) and its `txn`. */
export const ResponseMessageSchema = z.object({
  ...EnvelopeShape,
  corr: MessageIdSchema,
  txn: TransactionIdSchema,
  type: z.literal('response'),
  body: ResponseBodySchema,
});

export type ResponseBody = z.infer<typeof ResponseBodySchema>;
