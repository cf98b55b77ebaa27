import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import { maskFreeText, maskName, maskPhone, maskTracking } from '../privacy/mask.ts';

export type { Logger } from 'pino';

/**
 * Paths never logged in clear: device secrets, passwords, API tokens, card data and member identifiers.
 * pino's redaction is path based, so every place that logs such a field uses one of these names.
 */
const REDACT_PATHS = [
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

/**
 * Personal details a log line may carry by mistake (a visitor code's label, a note, a phone): masked with the
 * console's rules rather than removed, so a line still tells staff which visitor or note it was about.
 */
const MASKED_PATHS: Record<string, (v: string) => string> = {
  phone: maskPhone,
  mobile: maskPhone,
  tracking: maskTracking,
  note: maskFreeText,
  reversalNote: maskFreeText,
  visitorLabel: maskFreeText,
  residentName: maskName,
};

const censor = (value: unknown, path: string[]): unknown => {
  const mask = MASKED_PATHS[path[path.length - 1] ?? ''];
  return mask && typeof value === 'string' ? mask(value) : '[redacted]';
};

/** Query parameters that carry credentials: their values never reach a log line. */
const CREDENTIAL_PARAMS =
  /([?&](?:token|access_token|api_key|apikey|key|secret|password|pw|auth|authorization)=)[^&#]*/gi;

/** "/api/v1/devices?token=llt_abc&x=1" → "/api/v1/devices?token=[redacted]&x=1". */
export function redactUrl(url: string): string {
  return url.replace(CREDENTIAL_PARAMS, '$1[redacted]');
}

/** Any `url` field, and the url of any logged request, pass through redactUrl. */
const serializers: Record<string, (v: unknown) => unknown> = {
  url: (v) => (typeof v === 'string' ? redactUrl(v) : v),
  req: (v) =>
    v && typeof v === 'object' && 'url' in v && typeof v.url === 'string' ? { ...v, url: redactUrl(v.url) } : v,
};

export function createLogger(opts: { level: string; pretty?: boolean; destination?: pino.DestinationStream }): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level,
    base: { app: 'linli' },
    serializers,
    redact: {
      paths: [...REDACT_PATHS, ...Object.keys(MASKED_PATHS).flatMap((k) => [k, `*.${k}`])],
      censor,
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (opts.destination) return pino(options, opts.destination);
  if (opts.pretty) {
    useInstalledPinoWorkers();
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino(options);
}

/**
 * A transport runs in a worker thread started from a file pino finds beside itself. pino is bundled into
 * dist/ (scripts/build.mjs), where that file is not: pino's documented override names the installed ones.
 */
function useInstalledPinoWorkers(): void {
  const fromPino = createRequire(createRequire(import.meta.url).resolve('pino'));
  const g = globalThis as { __bundlerPathsOverrides?: Record<string, string> };
  g.__bundlerPathsOverrides = {
    ...g.__bundlerPathsOverrides,
    'pino-worker': fromPino.resolve('./lib/worker.js'),
    'thread-stream-worker': fromPino.resolve('thread-stream/lib/worker.js'),
  };
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
