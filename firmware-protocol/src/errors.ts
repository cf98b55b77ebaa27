import { ERRORS } from './catalogue/errors.ts';

/**
 * [FWP-6.2] The error catalogue: device-facing (wire) codes and staff API codes, with their HTTP status,
 * message and texts for people. It is the `errors` family of the one code catalogue (catalogue/errors.ts).
 * A code, once published, keeps its meaning forever; a retired code is never reused.
 * PROTOCOL.md lists every wire code and a test keeps the two in step.
 */
export const ERROR_CATALOGUE = ERRORS;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
export const WIRE_ERROR_CODES = ERROR_CODES.filter((c) => ERROR_CATALOGUE[c].wire);

/** An error that carries a catalogue code; thrown by domain and adapters, mapped at the edges. */
export class LinliError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.name = 'LinliError';
    this.code = code;
    this.details = details;
  }
  get httpStatus(): number {
    return ERROR_CATALOGUE[this.code].http;
  }
}
