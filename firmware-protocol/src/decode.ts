import type * as z from 'zod';
import { EnvelopeHeaderSchema, MessageIdSchema } from './envelope.ts';
import type { ErrorCode } from './errors.ts';
import { UPLINK_SCHEMAS, type UplinkMessage } from './messages/index.ts';
import type { UplinkChannel } from './topics.ts';
import { parseVersion, SUPPORTED_MAJORS } from './version.ts';

export interface DecodeFailure {
  ok: false;
  code: ErrorCode;
  message: string;
  /** The offending message's id, when it could be read, so the error can carry `corr`. */
  corr: string | undefined;
  issues?: { path: string; message: string }[];
  /** With UNSUPPORTED_PROTOCOL_VERSION: the majors this gateway speaks [FWP-2.4]. */
  supportedMajors?: number[];
}

/**
 * The `id` of a message the gateway will not decode (another major's topic), so its error can carry
 * `corr`; undefined when the payload is not a JSON object with a valid id. Never throws.
 */
export function readMessageId(payload: Buffer | string): string | undefined {
  try {
    const raw: unknown = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
    const header = EnvelopeHeaderSchema.safeParse(raw);
    return header.success && MessageIdSchema.safeParse(header.data.id).success ? header.data.id : undefined;
  } catch {
    return undefined;
  }
}
export type DecodeResult = { ok: true; message: UplinkMessage } | DecodeFailure;

/** Formats zod issues as `path: reason` pairs, the form PROTOCOL.md promises [FWP-6.1]. */
export function formatIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

/** Decodes one uplink payload for a known channel: JSON, then envelope version, then the channel's schema. Pure. */
export function decodeUplink(channel: UplinkChannel, payload: Buffer | string): DecodeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    return { ok: false, code: 'MALFORMED_JSON', message: 'payload is not valid JSON', corr: undefined };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, code: 'MALFORMED_JSON', message: 'payload must be a JSON object', corr: undefined };
  }
  const header = EnvelopeHeaderSchema.safeParse(raw);
  // echo the id only when it is a valid id: an error message must itself match the published schema
  const corr = header.success && MessageIdSchema.safeParse(header.data.id).success ? header.data.id : undefined;
  const version = header.success && header.data.v ? parseVersion(header.data.v) : undefined;
  if (version && !SUPPORTED_MAJORS.includes(version.major)) {
    return {
      ok: false,
      code: 'UNSUPPORTED_PROTOCOL_VERSION',
      message:
        `protocol ${header.success ? header.data.v : '?'} is not supported; ` +
        `supported majors: ${SUPPORTED_MAJORS.join(', ')}`,
      corr,
      supportedMajors: [...SUPPORTED_MAJORS],
    };
  }
  const schema = UPLINK_SCHEMAS[channel];
  if (!schema) {
    return {
      ok: false,
      code: 'UNKNOWN_MESSAGE_TYPE',
      message: `channel "${channel}" carries no messages in this protocol version`,
      corr,
    };
  }
  const type = header.success ? header.data.type : undefined;
  if (type !== channel) {
    return {
      ok: false,
      code: 'UNKNOWN_MESSAGE_TYPE',
      message: `type must be "${channel}" on the ${channel} channel, got ${JSON.stringify(type ?? null)}`,
      corr,
    };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error);
    return {
      ok: false,
      code: 'SCHEMA_INVALID',
      message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
      corr,
      issues,
    };
  }
  return { ok: true, message: parsed.data as UplinkMessage };
}
