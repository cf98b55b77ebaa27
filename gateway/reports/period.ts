import { LinliError } from '../../firmware-protocol/src/errors.ts';
import { DAY_MS, SHANGHAI_OFFSET_MS } from './report-schemas.ts';

/** Longest period a report covers: a year and a bit, so "this year against last" fits in two requests. */
export const MAX_PERIOD_DAYS = 400;
/** Without a period: the last 30 Shanghai days, today included. */
export const DEFAULT_PERIOD_DAYS = 30;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A time of a report's query: a date is Shanghai midnight, a time without a zone is Shanghai's clock,
 * one with Z or an offset is that instant. Undefined when it is none of these or no real day (02-30).
 */
export function parseReportTime(s: string): number | undefined {
  let ms: number;
  if (DATE.test(s) || LOCAL.test(s)) {
    ms = Date.parse(`${DATE.test(s) ? `${s}T00:00` : s}Z`) - SHANGHAI_OFFSET_MS;
    // Date.parse rolls 02-30 over to March: the written day must survive the round trip
    if (!Number.isFinite(ms) || new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10) !== s.slice(0, 10))
      return undefined;
  } else if (ZONED.test(s)) ms = Date.parse(s);
  else return undefined;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Shanghai midnight at or before `ms`. */
export const shanghaiMidnight = (ms: number): number =>
  Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;

/** [from, to) of a request, checked: both readable, from before to, at most MAX_PERIOD_DAYS long. */
export function reportPeriod(q: { from?: string | undefined; to?: string | undefined }, now: number) {
  const time = (name: 'from' | 'to', s: string) => {
    const ms = parseReportTime(s);
    if (ms === undefined)
      throw new LinliError(
        'VALIDATION_FAILED',
        `${name}: "${s}" is not a date (2025-03-01) or a time (2025-03-01T08:00, Shanghai, or with Z or an offset)`,
      );
    return ms;
  };
  const to = q.to !== undefined ? time('to', q.to) : shanghaiMidnight(now) + DAY_MS;
  const from = q.from !== undefined ? time('from', q.from) : to - DEFAULT_PERIOD_DAYS * DAY_MS;
  if (from >= to) throw new LinliError('VALIDATION_FAILED', `from must be before to (the period is [from, to))`);
  if (to - from > MAX_PERIOD_DAYS * DAY_MS)
    throw new LinliError('VALIDATION_FAILED', `the period is at most ${MAX_PERIOD_DAYS} days`);
  return { from, to };
}
