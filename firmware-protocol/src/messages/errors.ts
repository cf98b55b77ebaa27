import * as z from 'zod';
import { EnvelopeShape } from '../envelope.ts';
import { WIRE_ERROR_CODES, type ErrorCode } from '../errors.ts';

export const WireErrorCodeSchema = z.enum(WIRE_ERROR_CODES as [ErrorCode, ...ErrorCode[]]);

/** [FWP-6.1] The gateway's answer to a message it could not accept; `corr` is that message's id when it had one. */
export const ErrorMessageSchema = z.object({
  ...EnvelopeShape,
  type: z.literal('error'),
  body: z.object({
    code: WireErrorCodeSchema,
    message: z.string().max(500),
    /** The topic the offending message arrived on. */
    topic: z.string().max(256).optional(),
    /** For SCHEMA_INVALID: where and why, e.g. [{ path: "body.heartbeatS", message: "Too small" }]. */
    issues: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .max(20)
      .optional(),
    /** For UNSUPPORTED_PROTOCOL_VERSION: the majors this gateway speaks. */
    supportedMajors: z.array(z.number().int()).optional(),
  }),
});
export type ErrorMessage = z.infer<typeof ErrorMessageSchema>;
