/**
 * [FWP-6.2] The one error catalogue: device-facing (wire) codes and staff API codes.
 * A code, once published, keeps its meaning forever; a retired code is never reused.
 * PROTOCOL.md lists every wire code and a test keeps the two in step.
 */
export const ERROR_CATALOGUE = {
  MALFORMED_JSON: { http: 400, wire: true, message: 'The payload is not a UTF-8 JSON object.' },
  SCHEMA_INVALID: { http: 400, wire: true, message: 'The message does not match its schema.' },
  UNKNOWN_MESSAGE_TYPE: {
    http: 400,
    wire: true,
    message: 'The message type is unknown or not allowed on this channel.',
  },
  UNKNOWN_CHANNEL: { http: 400, wire: true, message: 'The topic channel is not part of the protocol.' },
  PAYLOAD_TOO_LARGE: {
    http: 413,
    wire: true,
    message: 'The packet is larger than the gateway accepts; the connection is closed.',
  },
  UNSUPPORTED_PROTOCOL_VERSION: {
    http: 400,
    wire: true,
    message: 'The protocol major version is not supported by this gateway.',
  },
  DEVICE_KIND_MISMATCH: {
    http: 409,
    wire: true,
    message: 'The device kind in the message differs from the kind it was provisioned as.',
  },
  MERCHANT_MISMATCH: {
    http: 409,
    wire: true,
    message: 'The scanner claims another merchant than the one staff bound it to.',
  },
  NOT_BORN: { http: 409, wire: true, message: 'A birth message must be the first message of every session.' },
  COMMAND_NOT_SUPPORTED: { http: 400, wire: true, message: 'This device kind does not support the command.' },
  COMMAND_TIMEOUT: { http: 504, wire: true, message: 'The device did not acknowledge the command in time.' },
  COMMAND_REJECTED: { http: 422, wire: true, message: 'The device refused the command.' },
  COMMAND_FAILED: { http: 502, wire: true, message: 'The device accepted the command but could not carry it out.' },
  RATE_LIMITED: { http: 429, wire: true, message: 'Too many requests; retry later.' },
  INTERNAL_ERROR: { http: 500, wire: true, message: 'The gateway failed to process the message; it has been logged.' },
  MEMBER_NOT_FOUND: { http: 404, wire: true, message: 'No member is known for this card or code.' },
  REDEMPTION_NOT_FOUND: { http: 404, wire: true, message: 'No redemption with this transaction or id.' },
  REDEMPTION_STATE: {
    http: 409,
    wire: true,
    message: 'The redemption is not in a state that allows this (see details.refusal).',
  },
  CARD_BLOCKED: { http: 403, wire: true, message: 'This card or code is blocked (reported lost).' },
  CARD_REPLAYED: { http: 403, wire: true, message: 'This tap or code was already used: a copy or a screenshot.' },
  CREDENTIAL_INVALID: { http: 400, wire: true, message: 'The card data or code does not verify.' },
  OPERATION_NOT_ALLOWED: { http: 403, wire: true, message: 'This kind of device may not perform this operation.' },
  TXN_REUSED: { http: 409, wire: true, message: 'This transaction id was already used for a different request.' },
  DEVICE_NOT_FOUND: { http: 404, wire: false, message: 'No device with this id is provisioned.' },
  DEVICE_EXISTS: { http: 409, wire: false, message: 'A device with this id is already provisioned.' },
  DEVICE_DISABLED: { http: 409, wire: false, message: 'The device is disabled.' },
  DEVICE_OFFLINE: { http: 409, wire: false, message: 'The device is offline.' },
  UNAUTHENTICATED: {
    http: 401,
    wire: false,
    message: 'A valid API token is required (Authorization: Bearer <token>).',
  },
  FORBIDDEN: { http: 403, wire: false, message: 'Your role does not allow this action.' },
  NOT_FOUND: { http: 404, wire: false, message: 'Not found.' },
  VALIDATION_FAILED: { http: 400, wire: false, message: 'The request is invalid.' },
  NOT_READY: { http: 503, wire: false, message: 'The gateway is starting or stopping.' },
} as const satisfies Record<string, { http: number; wire: boolean; message: string }>;

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
