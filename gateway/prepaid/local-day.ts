import { localTime } from '../redemption/domain/local-time.ts';

/** The community's local date (YYYY-MM-DD) of an instant. */
export function localDate(atMs: number, tz: string): string {
  return localTime(atMs, tz).date;
}

/** The local calendar date after `date`. */
export function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms (whole minutes). */
function offsetAt(atMs: number, tz: string): number {
  const t = localTime(atMs, tz);
  const [y, m, d] = t.date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) + t.minuteOfDay * 60_000 - Math.floor(atMs / 60_000) * 60_000;
}

/** The instant the local day `date` begins: its midnight in `tz` (its first instant where midnight is skipped). */
export function dayStart(date: string, tz: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  const first = wall - offsetAt(wall, tz);
  const start = wall - offsetAt(first, tz);
  return localDate(start, tz) === date ? start : first;
}
