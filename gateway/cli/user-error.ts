/**
 * A mistake the person at the keyboard can fix (a wrong option, a port in use, a gateway not running):
 * the CLI prints `message` on one line and `hint` below it, never a stack trace.
 */
export class UserError extends Error {
  constructor(
    message: string,
    /** What to do about it, e.g. the option or command that fixes it. */
    readonly hint?: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** The `code` of a Node system error (ECONNREFUSED, EADDRINUSE…), also when wrapped as the `cause` (fetch). */
export function systemCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Plain words for the network errors a person meets: the gateway is down, the name is wrong. */
export const NETWORK_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
};
