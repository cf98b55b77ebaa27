import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths never logged in clear: device secrets, passwords, API tokens, card data and member identifiers.
 * pino's redaction is path based, so every place that logs such a field uses one of these names.
 */
export const REDACT_PATHS = [
  'secret',
  '*.secret',
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
  'cardUid',
  '*.cardUid',
  'card',
  '*.card',
  'qr',
  '*.qr',
  'payload',
  '*.payload',
];

export function createLogger(opts: { level: string; pretty?: boolean; destination?: pino.DestinationStream }): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level,
    base: { app: 'linli' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (opts.destination) return pino(options, opts.destination);
  if (opts.pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  return pino(options);
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
