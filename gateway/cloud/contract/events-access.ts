import * as z from 'zod';
import { DeviceIdSchema } from '../../../firmware-protocol/src/kinds/device-id.ts';
import { EpochMsSchema, TxnIdSchema } from './common.ts';

/**
 * [CLP-4.6] A decision at a door, as the gateway's access log keeps it. `subject` is who it was: a member
 * id, `visitor` or `visitor:{host member}` for a visitor code, null when nobody could be identified.
 */
const accessEvent = <D extends z.ZodType<string>>(decision: D) =>
  z
    .object({
      at: EpochMsSchema,
      deviceId: DeviceIdSchema,
      /** The door of the reader [FWP-7.4]; `office` for the gateway box's own reader. */
      door: z.string().min(1).max(16),
      zone: z.string().min(1).max(64),
      subject: z.string().min(1).max(200).nullable(),
      method: z.enum(['card', 'qr', 'visitor_code']),
      decision,
      /**
       * Why: `RULE:{rule id}` or `VISITOR_CODE` for a grant, `CHECKED_IN` or `ALREADY_CHECKED_IN` for a
       * check-in, a refusal (`NO_ACCESS`, `ACCESS_EXPIRED`, `OUTSIDE_HOURS`, `CODE_INVALID`, `CODE_EXPIRED`,
       * `CODE_USED`, `KEYPAD_LOCKED`) or the error code of a card that could not be identified (`MEMBER_NOT_FOUND`...).
       */
      reason: z.string().min(1).max(100),
      txnId: TxnIdSchema.nullable(),
    })
    .strict();

/** `access.decision`: a door opened for someone, or refused them. */
export const AccessDecisionSchema = accessEvent(z.enum(['granted', 'denied']));
/** `access.checkin`: a tap at a door during a community activity: a check-in for points [CLP-4.3]. */
export const AccessCheckinSchema = accessEvent(z.literal('checked_in'));
