import * as z from 'zod';
import { KIND_MODULES } from '../../../devices/registry.ts';
import { EnvelopeShape, TransactionIdSchema } from '../envelope.ts';
import { WireCredentialSchema } from './credential.ts';

const Fen = z.number().int().nonnegative().max(100_000_000);

export { WireCredentialSchema, type WireCredential } from './credential.ts';
export { ResponseBodySchema, ResponseMessageSchema, type ResponseBody } from './response.ts';

const ItemSchema = z
  .object({ productId: z.string().min(1).max(64), unitPriceFen: Fen, qty: z.number().int().min(1).max(100) })
  .strict();

/** [FWP-11.2] Requests of the redemption engine; each kind's wire contract says which its devices may send. */
export const ENGINE_OP_SCHEMAS = [
  /** Shop scanner: redeem and pay in one step. `amountFen` is the bill the cashier entered. */
  z
    .object({
      op: z.literal('redeem'),
      credential: WireCredentialSchema,
      amountFen: Fen,
      items: z.array(ItemSchema).max(50).optional(),
    })
    .strict(),
  /** Vending machine, locker: hold funds and benefits for the items about to be dispensed. */
  z
    .object({ op: z.literal('authorize'), credential: WireCredentialSchema, items: z.array(ItemSchema).min(1).max(20) })
    .strict(),
  /** The goods came out: take the held money. `txn` is the authorize's. */
  z.object({ op: z.literal('capture') }).strict(),
  /** The goods did not come out, or the resident cancelled: release the hold. `txn` is the authorize's. */
  z
    .object({ op: z.literal('void'), reason: z.enum(['vend_failed', 'cancelled', 'timeout']).default('vend_failed') })
    .strict(),
  /** Cashier reverses a redemption of this shop within the reversal window. */
  z.object({ op: z.literal('reverse'), redemptionId: z.string().min(1).max(64) }).strict(),
  /** A display asks what the resident has: balance, points, usable benefits. */
  z.object({ op: z.literal('lookup'), credential: WireCredentialSchema }).strict(),
] as const;

type KindRequest = (typeof KIND_MODULES)[number]['wire']['requests'][number];
type EngineRequest = (typeof ENGINE_OP_SCHEMAS)[number];

/** Which kinds may send an op: the engine's ops by the kinds that list them, the kinds' own ops by their kind. */
export const OP_KINDS: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, string[]>();
  const add = (op: string, kind: string) => m.set(op, [...(m.get(op) ?? []), kind]);
  for (const k of KIND_MODULES) {
    for (const op of k.wire.engineOps) add(op, k.wire.kind);
    for (const r of k.wire.requests as readonly z.ZodObject[])
      add(String((r.shape.op as z.ZodLiteral).value), k.wire.kind);
  }
  return m;
})();

/**
 * [FWP-11.2] Requests a device sends on up/request; `txn` names the purchase across retries [FWP-4.3]:
 * the engine's and every kind's own, from the device registry.
 */
export const RequestBodySchema = z.discriminatedUnion('op', [
  ...ENGINE_OP_SCHEMAS,
  ...KIND_MODULES.flatMap((m) => m.wire.requests as readonly z.ZodObject[]),
] as [z.ZodObject, ...z.ZodObject[]]) as unknown as z.ZodType<
  z.output<EngineRequest> | z.output<KindRequest>,
  z.input<EngineRequest> | z.input<KindRequest>
>;

export const RequestMessageSchema = z.object({
  ...EnvelopeShape,
  txn: TransactionIdSchema,
  type: z.literal('request'),
  body: RequestBodySchema,
});

export type RequestMessage = z.infer<typeof RequestMessageSchema>;
export type RequestBody = z.infer<typeof RequestBodySchema>;
