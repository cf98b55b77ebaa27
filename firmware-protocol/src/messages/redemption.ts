import { z } from 'zod';
import { EnvelopeShape, MessageIdSchema, TransactionIdSchema } from '../envelope.ts';

const Hex = (min: number, max: number) => z.string().regex(new RegExp(`^[0-9A-Fa-f]{${min},${max}}$`), `expected ${min}–${max} hex digits`);
const Fen = z.number().int().nonnegative().max(100_000_000);

/** [FWP-11.1] How a resident identified themselves at the device. Card data never leaves the gateway. */
export const WireCredentialSchema = z.discriminatedUnion('type', [
  /** A plain NFC card's UID (4, 7 or 10 bytes): clonable, so capped per purchase and per day. */
  z.object({ type: z.literal('uid'), uid: Hex(8, 20) }).strict(),
  /** An NTAG 424 DNA tap: the encrypted PICC data and the SUN MAC from the card's NDEF URL. */
  z.object({ type: z.literal('sun'), picc: Hex(32, 32), cmac: Hex(16, 16) }).strict(),
  /** The member's rotating QR code, as scanned. */
  z.object({ type: z.literal('qr'), code: z.string().min(10).max(1024) }).strict(),
]);

const ItemSchema = z.object({ productId: z.string().min(1).max(64), unitPriceFen: Fen, qty: z.number().int().min(1).max(100) }).strict();

/** [FWP-11.2] Requests a device sends on up/request; `txn` names the purchase across retries [FWP-4.3]. */
export const RequestBodySchema = z.discriminatedUnion('op', [
  /** Shop scanner: redeem and pay in one step. `amountFen` is the bill the cashier entered. */
  z.object({ op: z.literal('redeem'), credential: WireCredentialSchema, amountFen: Fen, items: z.array(ItemSchema).max(50).optional() }).strict(),
  /** Vending machine, locker: hold funds and benefits for the items about to be dispensed. */
  z.object({ op: z.literal('authorize'), credential: WireCredentialSchema, items: z.array(ItemSchema).min(1).max(20) }).strict(),
  /** The goods came out: take the held money. `txn` is the authorize's. */
  z.object({ op: z.literal('capture') }).strict(),
  /** The goods did not come out, or the resident cancelled: release the hold. `txn` is the authorize's. */
  z.object({ op: z.literal('void'), reason: z.enum(['vend_failed', 'cancelled', 'timeout']).default('vend_failed') }).strict(),
  /** Cashier reverses a redemption of this shop within the reversal window. */
  z.object({ op: z.literal('reverse'), redemptionId: z.string().min(1).max(64) }).strict(),
  /** A display asks what the resident has: balance, points, usable benefits. */
  z.object({ op: z.literal('lookup'), credential: WireCredentialSchema }).strict(),
]);

export const RequestMessageSchema = z.object({ ...EnvelopeShape, txn: TransactionIdSchema, type: z.literal('request'), body: RequestBodySchema });

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
    applied: z.array(z.object({ name: Name, savingFen: Fen })).optional(),
    member: z
      .object({
        tier: z.string(),
        walletFen: Fen,
        points: z.number().int(),
        benefits: z.array(z.object({ name: Name, usesLeft: z.number().int().optional() })),
      })
      .optional(),
    /** What the device should show, in both languages. */
    display: Name,
  }),
  z.object({ status: z.literal('error'), op: z.string().optional(), code: z.string(), message: z.string(), display: Name }),
]);

export const ResponseMessageSchema = z.object({ ...EnvelopeShape, corr: MessageIdSchema, type: z.literal('response'), body: ResponseBodySchema });

export type RequestMessage = z.infer<typeof RequestMessageSchema>;
export type RequestBody = z.infer<typeof RequestBodySchema>;
export type ResponseBody = z.infer<typeof ResponseBodySchema>;
export type WireCredential = z.infer<typeof WireCredentialSchema>;
