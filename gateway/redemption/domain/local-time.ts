/**
 * The community's local calendar for rules ("mornings only", "member day is Wednesday", "once a week"),
 * computed from an instant and an IANA time zone (default Asia/Shanghai). Pure: Intl's tz database only.
 */
export interface LocalTime {
  /** YYYY-MM-DD */
  date: string;
  year: number;
  /** 1–12 */
  month: number;
  /** 1 = Monday … 7 = Sunday (ISO) */
  weekday: number;
  /** minutes since local midnight, 0–1439 */
  minuteOfDay: number;
  /** ISO week key, e.g. "2026-W47": the period of a weekly card */
  isoWeek: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The shape the formatter above writes for the years people shop in (en-CA: "Wed, 2026-11-18, 09:00"). */
const USUAL = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{4})-(\d{2})-(\d{2}), (\d{2}):(\d{2})$/;

export function localTime(atMs: number, tz: string): LocalTime {
  const f = formatter(tz);
  // format() costs a quarter of formatToParts() (this runs once per decision), and its text is the parts
  // joined: in that usual shape, each field is its part. Any other text (another ICU's punctuation, a
  // year outside 1000–9999) is read from the parts, as it always was.
  const usual = USUAL.exec(f.format(atMs));
  const parts: Record<string, string> = {};
  if (usual) {
    parts.weekday = usual[1] as string;
    parts.year = usual[2] as string;
    parts.month = usual[3] as string;
    parts.day = usual[4] as string;
    parts.hour = usual[5] as string;
    parts.minute = usual[6] as string;
  } else for (const p of f.formatToParts(new Date(atMs))) parts[p.type] = p.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const weekday = WEEKDAYS[parts.weekday ?? ''] ?? 1;
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return {
    date,
    year,
    month,
    weekday,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
    isoWeek: isoWeekKey(year, month, day, weekday),
  };
}

/** ISO 8601 week: the week belongs to the year of its Thursday. */
function isoWeekKey(year: number, month: number, day: number, weekday: number): string {
  const dayMs = Date.UTC(year, month - 1, day);
  const thursday = new Date(dayMs + (4 - weekday) * 86_400_000);
  const weekYear = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 / 7) + 1;
  return `${weekYear}-W${String(week).padStart(2, '0')}`;
}

/** Whole days between two local dates (YYYY-MM-DD). */
export function daysBetween(fromDate: string, toDate: string): number {
  const parse = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
  return Math.round((parse(toDate) - parse(fromDate)) / 86_400_000);
}

/** "07:30" → 450 */
export function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}
