import * as z from 'zod';
import { ERROR_CODES, type ErrorCode } from '../../firmware-protocol/src/errors.ts';

/** The documented error body of every staff API answer that is not a success (a leaf: kinds' routes use it). */
export const ApiErrorSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** The error answers a staff route may give (client errors and conflicts), for its response schemas. */
export const ROUTE_ERRORS = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
  409: ApiErrorSchema,
};

/** An id of a record staff name in a path or body (parcel, group buy, rule, visitor code, event). */
export const RecordIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

/** A time in the API's answers: ISO 8601 in UTC, null when unset. */
export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();
