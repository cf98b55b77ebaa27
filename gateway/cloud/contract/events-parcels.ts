import * as z from 'zod';
import { DeviceIdSchema } from '../../../firmware-protocol/src/kinds/device-id.ts';
import { EpochMsSchema, IdSchema } from './common.ts';

/** [FWP-7.2] A compartment of a parcel locker. */
const Compartment = z.string().min(1).max(8);
const ParcelId = z.string().min(1).max(64);

/**
 * [CLP-4.5] `parcel.stored`: the courier closed the door on a parcel. It carries the member's pickup code,
 * for the platform to send to the resident; the code is removed from the event while it waits in the
 * outbox once it was used or expired [CLP-3.11], so it may be absent.
 */
export const ParcelStoredSchema = z
  .object({
    parcelId: ParcelId,
    lockerId: DeviceIdSchema,
    compartment: Compartment,
    memberId: IdSchema,
    /** The carrier's tracking number as the courier entered it [FWP-11.5]. */
    tracking: z.string().min(1).max(64),
    /** The group-buy order the parcel belongs to, if any. */
    groupBuyId: IdSchema.nullable(),
    code: z
      .string()
      .regex(/^\d{6,8}$/)
      .optional(),
    codeExpiresAt: EpochMsSchema,
    at: EpochMsSchema,
  })
  .strict();

/** [CLP-4.5] `parcel.picked_up`: the resident opened the compartment (by card or code) and the parcel is gone. */
export const ParcelPickedUpSchema = z
  .object({
    parcelId: ParcelId,
    lockerId: DeviceIdSchema,
    compartment: Compartment,
    memberId: IdSchema,
    at: EpochMsSchema,
  })
  .strict();

/** [CLP-4.5] `parcel.deposit_failed`: the compartment jammed at deposit; the courier must deposit again. */
export const ParcelDepositFailedSchema = z
  .object({ parcelId: ParcelId, lockerId: DeviceIdSchema, compartment: Compartment, at: EpochMsSchema })
  .strict();
