import type { Logger } from './log.ts';

export interface LogLimiterOptions {
  /** Lines let through per key and window. */
  perKey: number;
  /** Lines let through per window over all keys together: a flood spread over many keys stays bounded too. */
  total: number;
  windowMs: number;
  /** Keys remembered at most; beyond it the oldest window is forgotten (its suppressed count is kept, under '*'). */
  maxKeys: number;
}

/** Whether to write a line; `suppressed` lines of the key's previous window were not written (report them first). */
type LogDecision = { log: true; suppressed: number } | { log: false };

interface SuppressedSummary {
  /** The key, or '*' for lines of keys forgotten to keep memory bounded. */
  key: string;
  suppressed: number;
}

/** Key of the summary for keys forgotten before their window ended. */
export const FORGOTTEN_KEYS = '*';

interface Window {
  start: number;
  lines: number;
  suppressed: number;
}

/**
 * Rate limit for log lines, per key (an event and who caused it, e.g. "subscribe-refused:10.0.0.7"): the
 * first `perKey` lines of a window are written, the rest only counted. The count comes back once, as a
 * summary: with the key's next written line (check() returns it) or, when no line follows, from sweep()
 * once the window has ended. One client can then no longer fill the disk or drown other messages.
 * Pure: time comes from `now` (monotonic ms); memory is bounded by `maxKeys`.
 */
export class LogLimiter {
  private readonly windows = new Map<string, Window>();
  private all: { start: number; lines: number } | undefined;
  private forgotten = 0;

  constructor(
    private readonly opts: LogLimiterOptions,
    private readonly now: () => number,
  ) {}

  check(key: string): LogDecision {
    const now = this.now();
    let carried = 0;
    let w = this.windows.get(key);
    if (w && now - w.start >= this.opts.windowMs) {
      carried = w.suppressed;
      this.windows.delete(key);
      w = undefined;
    }
    if (!w) {
      // insertion order is start order: the first key is the oldest window
      w = { start: now, lines: 0, suppressed: 0 };
      this.windows.set(key, w);
      this.evict();
    }
    if (!this.all || now - this.all.start >= this.opts.windowMs) this.all = { start: now, lines: 0 };
    if (w.lines < this.opts.perKey && this.all.lines < this.opts.total) {
      w.lines += 1;
      this.all.lines += 1;
      return { log: true, suppressed: carried };
    }
    w.suppressed += carried + 1;
    return { log: false };
  }

  /** Summaries of windows that have ended with lines suppressed; forgets every ended window. */
  sweep(): SuppressedSummary[] {
    const now = this.now();
    const out: SuppressedSummary[] = [];
    for (const [key, w] of this.windows) {
      if (now - w.start < this.opts.windowMs) break; // later windows started later
      if (w.suppressed > 0) out.push({ key, suppressed: w.suppressed });
      this.windows.delete(key);
    }
    return this.withForgotten(out);
  }

  /** Summaries of every window with lines suppressed, ended or not (at shutdown); forgets them all. */
  flush(): SuppressedSummary[] {
    const out: SuppressedSummary[] = [];
    for (const [key, w] of this.windows) if (w.suppressed > 0) out.push({ key, suppressed: w.suppressed });
    this.windows.clear();
    return this.withForgotten(out);
  }

  /** Keys remembered now. */
  get size(): number {
    return this.windows.size;
  }

  private withForgotten(out: SuppressedSummary[]): SuppressedSummary[] {
    if (this.forgotten > 0) out.push({ key: FORGOTTEN_KEYS, suppressed: this.forgotten });
    this.forgotten = 0;
    return out;
  }

  private evict(): void {
    for (const [key, w] of this.windows) {
      if (this.windows.size <= this.opts.maxKeys) return;
      this.forgotten += w.suppressed;
      this.windows.delete(key);
    }
  }
}

/** The message of a summary line; the line also carries `{ key, suppressed }`. */
const suppressedMessage = (n: number): string => `${n} similar messages suppressed`;

type Level = 'warn' | 'info' | 'error';

/** A logger whose lines go through a LogLimiter, by key. */
export interface LimitedLogger {
  warn(key: string, fields: object, msg: string): void;
  info(key: string, fields: object, msg: string): void;
  error(key: string, fields: object, msg: string): void;
  /** Writes the summaries of ended windows; call it about once per window (a timer). */
  sweep(): void;
  /** Writes every pending summary (at shutdown). */
  flush(): void;
}

/**
 * Wraps `log` with `limiter`: a line is written only when the limiter lets it through, after the summary it carries.
 */
export function limitedLogger(log: Logger, limiter: LogLimiter): LimitedLogger {
  const summary = (level: Level, s: SuppressedSummary) =>
    log[level]({ key: s.key, suppressed: s.suppressed }, suppressedMessage(s.suppressed));
  const line = (level: Level) => (key: string, fields: object, msg: string) => {
    const d = limiter.check(key);
    if (!d.log) return;
    if (d.suppressed > 0) summary(level, { key, suppressed: d.suppressed });
    log[level](fields, msg);
  };
  return {
    warn: line('warn'),
    info: line('info'),
    error: line('error'),
    sweep: () => {
      for (const s of limiter.sweep()) summary('warn', s);
    },
    flush: () => {
      for (const s of limiter.flush()) summary('warn', s);
    },
  };
}
