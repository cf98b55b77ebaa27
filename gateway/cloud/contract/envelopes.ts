import * as z from 'zod';
import { CountSchema, EpochMsSchema, EpochSchema, FenSchema, GatewayIdSchema, IdSchema } from './common.ts';
import { STREAMS } from './streams.ts';

export const StreamSchema = z.enum(STREAMS);

/** [CLP-3.3] One event as it travels in a batch; `data` is described per type [CLP-4]. */
export const CloudEventSchema = z
  .object({
    /** Stable across resends and restarts: "{gateway}:{epoch}:{stream}:{seq}". The cloud de-duplicates by it. */
    id: z.string().min(1).max(200),
    seq: z.number().int().positive(),
    /** The event type, e.g. `redemption.captured` [CLP-4.1]. */
    kind: z.string().min(1).max(64),
    /** The gateway's wall time when the event was written. */
    at: EpochMsSchema,
    /** Written before the current connection to the cloud was set up: replayed from the outbox, not live [CLP-3.9]. */
    historical: z.boolean(),
    data: z.unknown(),
  })
  .strict();

/** [CLP-3.2] Gateway → cloud on `up/{stream}`: consecutive events of one stream (before the rules of [CLP-3.4]). */
export const CloudBatchObject = z
  .object({
    v: z.literal(1),
    gatewayId: GatewayIdSchema,
    stream: StreamSchema,
    /** The database's epoch: sequence numbers count within it (a new database starts a new one) [CLP-3.4]. */
    epoch: EpochSchema,
    /**
     * Only in an epoch a restored database writes in: the seq its numbering of the stream continues from
     * (the backup's last seq in the epoch it was restored from); the cloud starts the series there [CLP-3.12].
     */
    base: CountSchema.optional(),
    /**
     * The seq the gateway last saw acknowledged: events after it
     * and before the first here were dropped (telemetry only).
     */
    after: CountSchema,
    /** How many events of the stream the gateway dropped so far (telemetry under disk pressure) [CLP-3.8]. */
    dropped: CountSchema,
    events: z.array(CloudEventSchema).min(1).max(1000),
  })
  .strict();

/**
 * [CLP-3.4] The numbering of a batch: its events follow `after` without a hole, and each id is
 * "{gateway}:{epoch}:{stream}:{seq}". Not expressible in JSON Schema; the gateway's batches always keep it.
 */
export function checkNumbering(
  b: { gatewayId: string; stream: string; epoch: string; after: number; events: { id: string; seq: number }[] },
  ctx: z.RefinementCtx,
): void {
  b.events.forEach((e, i) => {
    if (e.seq !== b.after + 1 + i)
      ctx.addIssue({ code: 'custom', path: ['events', i, 'seq'], message: `expected seq ${b.after + 1 + i}` });
    const id = `${b.gatewayId}:${b.epoch}:${b.stream}:${e.seq}`;
    if (e.id !== id) ctx.addIssue({ code: 'custom', path: ['events', i, 'id'], message: `expected id ${id}` });
  });
}

/** [CLP-3.2] A batch, its events' `data` unchecked (see `batchOf` for a stream's batch with every event checked). */
export const CloudBatchSchema = CloudBatchObject.superRefine(checkNumbering);

/** [CLP-3.7] Cloud → gateway on `ack`: every event of the stream up to `upTo` is applied. */
export const CloudAckSchema = z
  .object({
    stream: StreamSchema,
    upTo: CountSchema,
    /** The batch's epoch (a new database starts a new one); an ack for another epoch is ignored. */
    epoch: EpochSchema.optional(),
    /** Cloud time: a hint for the gateway's clock health [CLP-7.1]. */
    ts: EpochMsSchema.optional(),
  })
  .strict();

/** [CLP-1.5] The gateway's retained availability on `state`; the last will is the offline one. */
export const CloudGatewayStateSchema = z
  .object({
    state: z.enum(['online', 'offline']),
    /**
     * +1 on every connection attempt, kept across restarts (Sparkplug's
     * bdSeq): a late will of an old session is told apart.
     */
    session: z.number().int().nonnegative(),
    /** A random id of this run of the gateway process (12 hex digits). */
    bootId: z.string().min(1).max(32),
    /** The gateway's wall time when the message was made (for the will: when the connection was set up). */
    ts: EpochMsSchema,
  })
  .strict();

/** [CLP-6.1] Gateway → cloud on `rpc/req`: a purchase needs more allowance than this gateway holds for the member. */
export const TopUpRequestSchema = z
  .object({
    requestId: z.string().min(1).max(64),
    op: z.literal('topup'),
    memberId: IdSchema,
    amountFen: FenSchema.min(1),
  })
  .strict();

/** [CLP-6.2] A grant of allowance: credited once, by its id. */
export const GrantSchema = z
  .object({ grantId: IdSchema, memberId: IdSchema, amountFen: FenSchema.min(1).max(100_000_000) })
  .strict();

/** [CLP-6.2] Cloud → gateway on `rpc/res`: granted (a grant credited once by its id), or refused. */
export const TopUpResponseSchema = z
  .object({
    requestId: z.string().min(1).max(64),
    granted: z.boolean(),
    grant: GrantSchema.optional(),
  })
  .strict();

export type CloudEvent = z.infer<typeof CloudEventSchema>;
export type CloudBatch = z.infer<typeof CloudBatchSchema>;
export type CloudAck = z.infer<typeof CloudAckSchema>;
export type CloudGatewayState = z.infer<typeof CloudGatewayStateSchema>;
export type TopUpRequest = z.infer<typeof TopUpRequestSchema>;
export type TopUpResponse = z.infer<typeof TopUpResponseSchema>;
export type Grant = z.infer<typeof GrantSchema>;
