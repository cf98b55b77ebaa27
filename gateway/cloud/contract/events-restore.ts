import * as z from 'zod';
import { CountSchema, EpochMsSchema, EpochSchema } from './common.ts';
import { CloudEventSchema } from './envelopes.ts';

/** Per stream, the last seq of the old epoch a restored database's backup held [CLP-3.12]. */
const RestorePointsSchema = z
  .object({
    money: CountSchema,
    access: CountSchema,
    parcels: CountSchema,
    health: CountSchema,
    telemetry: CountSchema,
  })
  .strict();

/**
 * [CLP-3.12] `gateway.restored`: the first event of a restored database's epoch. The database was restored
 * from a backup taken in `fromEpoch`; it holds that epoch's events up to `restorePoints` and numbers on
 * after them in the new epoch. The cloud answers with the `restore` document [CLP-5.12].
 */
export const GatewayRestoredSchema = z
  .object({ fromEpoch: EpochSchema, restorePoints: RestorePointsSchema, at: EpochMsSchema })
  .strict();

/**
 * [CLP-5.12] `gateway.recovered`: the lost tail of `fromEpoch` up to `upTo` is applied here: `applied`
 * events moved money, points or uses on the box; `refused` ones could not (the money was spent again
 * before they arrived): the cloud's reconciliation settles those.
 */
export const GatewayRecoveredSchema = z
  .object({
    fromEpoch: EpochSchema,
    upTo: CountSchema,
    applied: CountSchema,
    refused: CountSchema,
    at: EpochMsSchema,
  })
  .strict();

/**
 * [CLP-5.12] The `restore` document: the `money` events of `fromEpoch` after `after` that a restored
 * database (now writing in `epoch`) lacks, in order; the cloud holds them up to `upTo`. More than fit
 * in one come as further deltas, each `after` the last seq of the one before.
 */
export const RestoreDocSchema = z
  .object({
    epoch: EpochSchema,
    fromEpoch: EpochSchema,
    after: CountSchema,
    upTo: CountSchema,
    events: z.array(CloudEventSchema).max(1000),
  })
  .strict();
export type RestoreDoc = z.infer<typeof RestoreDocSchema>;
