import type { ReadDb } from '../store/db-type.ts';
import {
  DAY_MS,
  REPURCHASE_WINDOW_MS,
  SHANGHAI_OFFSET_MS,
  type BenefitRow,
  type DailyRow,
  type HeatCell,
  type MerchantRow,
  type ReportParams,
  type Summary,
} from './report-schemas.ts';

export type { ReportParams, ReportScope } from './report-schemas.ts';

/**
 * Hours since the epoch on Shanghai's clock. Written exactly as in the index redemptions_captured
 * (migration 18): SQLite uses an index on an expression only for the same expression.
 */
const HOUR = `((created_at + ${SHANGHAI_OFFSET_MS}) / 3600000)`;
/** 1970-01-01 was a Thursday: its hour 0 is hour 72 of an ISO week that starts on Monday. */
const WEEK_SHIFT_H = 72;

/**
 * The captured rows of the period in scope; the hour range lets a shop's report be one range of the index.
 * A period of whole hours (every period given as dates) is that range exactly: the milliseconds are
 * compared only for one that is not (a fifth of a community heat map's time).
 */
const captured = (scope: string, hours: boolean) =>
  `state = 'captured'${hours ? '' : ' AND created_at >= @from AND created_at < @to'}
   AND ${HOUR} >= @fromHour AND ${HOUR} <= @lastHour${scope}`;

/**
 * A shop's members come from its range of redemptions_captured (then sorted by member, a few thousand
 * rows); the community's from redemptions_member, already in member order: a million rows, never sorted.
 */
const firstsWhere = (scope: string, hours: boolean) =>
  scope.includes('merchant_id')
    ? captured(scope, hours)
    : `state = 'captured' AND created_at >= @from AND created_at < @to${scope}`;

type ScopeKey = 'c' | 'm' | 'd' | 'md';
const scopeKey = (p: ReportParams): ScopeKey =>
  p.merchantId !== undefined ? (p.deviceId !== undefined ? 'md' : 'm') : p.deviceId !== undefined ? 'd' : 'c';
const SCOPE_SQL: Record<ScopeKey, string> = {
  c: '',
  m: ' AND merchant_id = @merchant',
  d: ' AND device_id = @device',
  md: ' AND merchant_id = @merchant AND device_id = @device',
};

/** Per Shanghai hour and shop, grouped in index order: the heat map and the daily series add these up. */
const hourly = (scope: string, hours: boolean) =>
  `SELECT ${HOUR} AS h, count(*) AS n, sum(payable_fen) AS p, sum(saving_fen) AS s
   FROM redemptions WHERE ${captured(scope, hours)} GROUP BY merchant_id, h`;

const SQL = {
  heatmap: (scope: string, hours: boolean) =>
    `SELECT (h + ${WEEK_SHIFT_H}) % 168 AS how, sum(n) AS n, sum(p) AS p, sum(s) AS s
     FROM (${hourly(scope, hours)}) GROUP BY how`,
  daily: (scope: string, hours: boolean) =>
    `SELECT h / 24 AS d, sum(n) AS n, sum(p) AS p, sum(s) AS s FROM (${hourly(scope, hours)}) GROUP BY d ORDER BY d`,
  merchants: (scope: string, hours: boolean) =>
    `SELECT merchant_id AS id, count(*) AS n, sum(payable_fen) AS p, sum(saving_fen) AS s
     FROM redemptions WHERE ${captured(scope, hours)} GROUP BY merchant_id ORDER BY merchant_id`,
  // per shop and campaign in the table's order, then the few hundred groups added up per campaign
  benefits: (scope: string) =>
    `SELECT campaign_id AS id, sum(n) AS n, sum(p) AS p, sum(s) AS s
     FROM (SELECT campaign_id, count(*) AS n, sum(payable_fen) AS p, sum(saving_fen) AS s
           FROM captured_benefits WHERE created_at >= @from AND created_at < @to${scope}
           GROUP BY merchant_id, campaign_id)
     GROUP BY campaign_id ORDER BY campaign_id`,
  // one pass over the members in index order gives the totals, each member's first purchase and whether
  // they bought again; the window may end after `to`: a purchase on the period's last day has its 30 days
  summary: (scope: string, hours: boolean) =>
    `SELECT count(*) AS members, coalesce(sum(n), 0) AS n, coalesce(sum(p), 0) AS p, coalesce(sum(s), 0) AS s,
       coalesce(sum(
         (SELECT count(*) FROM redemptions r2
          WHERE r2.member_id = firsts.member_id AND r2.state = 'captured'
            AND r2.created_at >= firsts.f AND r2.created_at <= firsts.f + ${REPURCHASE_WINDOW_MS}${scope}) >= 2
       ), 0) AS repeaters
     FROM (SELECT member_id, min(created_at) AS f, count(*) AS n, sum(payable_fen) AS p, sum(saving_fen) AS s
           FROM redemptions WHERE ${firstsWhere(scope, hours)} GROUP BY member_id) AS firsts`,
  // the community's members only (its totals come from report_hours): the least read per member, and a
  // member's window stops at the second purchase
  members: (scope: string, hours: boolean) =>
    `SELECT count(*) AS members,
       coalesce(sum(
         (SELECT count(*) FROM (SELECT 1 FROM redemptions r2
            WHERE r2.member_id = firsts.member_id AND r2.state = 'captured'
              AND r2.created_at >= firsts.f AND r2.created_at <= firsts.f + ${REPURCHASE_WINDOW_MS}${scope}
            LIMIT 2)) >= 2
       ), 0) AS repeaters
     FROM (SELECT member_id, min(created_at) AS f FROM redemptions WHERE ${firstsWhere(scope, hours)}
           GROUP BY member_id) AS firsts`,
} as const;
type Report = keyof typeof SQL;

/**
 * The community's reports over whole hours (whole days for benefits: every period the console asks for)
 * come from the rollups of migration 22: thousands of rows for a year, not a million.
 */
const ROLLUP_SQL = {
  heatmap: `SELECT (hour + ${WEEK_SHIFT_H}) % 168 AS how, sum(n) AS n, sum(payable_fen) AS p, sum(saving_fen) AS s
    FROM report_hours WHERE hour >= @fromHour AND hour <= @lastHour GROUP BY how`,
  daily: `SELECT hour / 24 AS d, sum(n) AS n, sum(payable_fen) AS p, sum(saving_fen) AS s
    FROM report_hours WHERE hour >= @fromHour AND hour <= @lastHour GROUP BY d ORDER BY d`,
  totals: `SELECT coalesce(sum(n), 0) AS n, coalesce(sum(payable_fen), 0) AS p, coalesce(sum(saving_fen), 0) AS s
    FROM report_hours WHERE hour >= @fromHour AND hour <= @lastHour`,
  benefits: `SELECT campaign_id AS id, sum(n) AS n, sum(payable_fen) AS p, sum(saving_fen) AS s
    FROM report_benefit_days WHERE day >= @fromDay AND day <= @lastDay GROUP BY campaign_id
    HAVING sum(n) > 0 ORDER BY campaign_id`,
} as const;

const wholeHours = (p: ReportParams) => p.from % 3_600_000 === 0 && p.to % 3_600_000 === 0;
const wholeDays = (p: ReportParams) =>
  (p.from + SHANGHAI_OFFSET_MS) % DAY_MS === 0 && (p.to + SHANGHAI_OFFSET_MS) % DAY_MS === 0;

/** Which rollup answers this report for these params, if one can. */
function rollupFor(report: Report, p: ReportParams): keyof typeof ROLLUP_SQL | undefined {
  if (scopeKey(p) !== 'c') return undefined;
  if ((report === 'heatmap' || report === 'daily') && wholeHours(p)) return report;
  if (report === 'summary' && wholeHours(p)) return 'totals';
  if (report === 'benefits' && wholeDays(p)) return 'benefits';
  return undefined;
}

interface Sums {
  n: number;
  p: number;
  s: number;
}
type Statement = ReturnType<ReadDb['prepare']>;

/** Statements are prepared once per connection and scope shape, then reused by every request. */
const cache = new WeakMap<ReadDb, Map<string, Statement>>();
function statement(db: ReadDb, report: Report, key: ScopeKey, hours: boolean): Statement {
  let stmts = cache.get(db);
  if (!stmts) {
    stmts = new Map();
    cache.set(db, stmts);
  }
  const id = `${report}:${key}:${hours ? 'h' : 'ms'}`;
  let s = stmts.get(id);
  if (!s) {
    s = db.prepare(SQL[report](SCOPE_SQL[key], hours));
    stmts.set(id, s);
  }
  return s;
}

function bind(p: ReportParams): Record<string, string | number> {
  return {
    from: p.from,
    to: p.to,
    fromHour: Math.floor((p.from + SHANGHAI_OFFSET_MS) / 3_600_000),
    lastHour: Math.floor((p.to - 1 + SHANGHAI_OFFSET_MS) / 3_600_000),
    fromDay: Math.floor((p.from + SHANGHAI_OFFSET_MS) / DAY_MS),
    lastDay: Math.floor((p.to - 1 + SHANGHAI_OFFSET_MS) / DAY_MS),
    ...(p.merchantId !== undefined ? { merchant: p.merchantId } : {}),
    ...(p.deviceId !== undefined ? { device: p.deviceId } : {}),
  };
}

function run<T>(db: ReadDb, report: Report, p: ReportParams): T[] {
  const rollup = rollupFor(report, p);
  if (rollup) return rollupStatement(db, rollup).all(bind(p)) as T[];
  return statement(db, report, scopeKey(p), wholeHours(p)).all(bind(p)) as T[];
}

function rollupStatement(db: ReadDb, rollup: keyof typeof ROLLUP_SQL): Statement {
  let stmts = cache.get(db);
  if (!stmts) {
    stmts = new Map();
    cache.set(db, stmts);
  }
  let s = stmts.get(`rollup:${rollup}`);
  if (!s) {
    s = db.prepare(ROLLUP_SQL[rollup]);
    stmts.set(`rollup:${rollup}`, s);
  }
  return s;
}

/** The Shanghai calendar day (YYYY-MM-DD) of a day number counted on Shanghai's clock. */
export const shanghaiDate = (localDay: number): string => new Date(localDay * DAY_MS).toISOString().slice(0, 10);

/** Redemptions by Shanghai day of week × hour: all 168 cells, Monday 00:00 first. */
export function heatmap(db: ReadDb, p: ReportParams): HeatCell[] {
  const byHow = new Map(run<Sums & { how: number }>(db, 'heatmap', p).map((r) => [r.how, r]));
  return Array.from({ length: 168 }, (_, how) => {
    const r = byHow.get(how);
    return {
      dayOfWeek: Math.floor(how / 24) + 1,
      hour: how % 24,
      redemptions: r?.n ?? 0,
      payableFen: r?.p ?? 0,
      savingFen: r?.s ?? 0,
    };
  });
}

/** Every Shanghai day the period touches, in order, days without sales at zero (a line chart has no gaps). */
export function daily(db: ReadDb, p: ReportParams): DailyRow[] {
  const byDay = new Map(run<Sums & { d: number }>(db, 'daily', p).map((r) => [r.d, r]));
  const first = Math.floor((p.from + SHANGHAI_OFFSET_MS) / DAY_MS);
  const last = Math.floor((p.to - 1 + SHANGHAI_OFFSET_MS) / DAY_MS);
  const rows: DailyRow[] = [];
  for (let d = first; d <= last; d++) {
    const r = byDay.get(d);
    rows.push({ date: shanghaiDate(d), redemptions: r?.n ?? 0, payableFen: r?.p ?? 0, savingFen: r?.s ?? 0 });
  }
  return rows;
}

export function merchants(db: ReadDb, p: ReportParams): MerchantRow[] {
  return run<Sums & { id: string }>(db, 'merchants', p).map((r) => ({
    merchantId: r.id,
    redemptions: r.n,
    payableFen: r.p,
    savingFen: r.s,
  }));
}

/** Every campaign used in the period, by campaign id. */
export function benefits(db: ReadDb, p: ReportParams): BenefitRow[] {
  return run<Sums & { id: string }>(db, 'benefits', p).map((r) => ({
    campaignId: r.id,
    uses: r.n,
    payableFen: r.p,
    savingFen: r.s,
  }));
}

/** The most used (or most generous) campaigns first; ties by campaign id, so the order is stable. */
export function topBenefits(rows: readonly BenefitRow[], by: 'uses' | 'saving', limit: number): BenefitRow[] {
  const key = (r: BenefitRow) => (by === 'uses' ? r.uses : r.savingFen);
  return [...rows]
    .sort((a, b) => key(b) - key(a) || (a.campaignId < b.campaignId ? -1 : a.campaignId > b.campaignId ? 1 : 0))
    .slice(0, limit);
}

/**
 * Totals, average order value and repurchase rate. A member repurchased when they have at least two captured
 * purchases in scope within [first, first + 30 days], `first` being their first captured purchase of the
 * period (two at the same millisecond count as two); the second may fall after the period's end.
 */
export function summary(db: ReadDb, p: ReportParams): Summary {
  const rollup = rollupFor('summary', p);
  const [r] = rollup
    ? [
        {
          ...(rollupStatement(db, rollup).get(bind(p)) as Sums),
          ...(statement(db, 'members', scopeKey(p), wholeHours(p)).get(bind(p)) as {
            members: number;
            repeaters: number;
          }),
        },
      ]
    : run<Sums & { members: number; repeaters: number }>(db, 'summary', p);
  const n = r?.n ?? 0;
  const payable = r?.p ?? 0;
  const saving = r?.s ?? 0;
  const members = r?.members ?? 0;
  const repeat = r?.repeaters ?? 0;
  return {
    redemptions: n,
    payableFen: payable,
    savingFen: saving,
    averageOrderFen: n > 0 ? Math.round(payable / n) : null,
    averageListFen: n > 0 ? Math.round((payable + saving) / n) : null,
    members,
    repeatMembers: repeat,
    repurchaseRate: members > 0 ? repeat / members : null,
  };
}

/** The reports bound to one read connection. */
export function reportQueries(db: ReadDb) {
  return {
    heatmap: (p: ReportParams) => heatmap(db, p),
    daily: (p: ReportParams) => daily(db, p),
    merchants: (p: ReportParams) => merchants(db, p),
    benefits: (p: ReportParams) => benefits(db, p),
    summary: (p: ReportParams) => summary(db, p),
  };
}
export type ReportQueries = ReturnType<typeof reportQueries>;
