/**
 * Merchant reports over a year of redemptions: builds a 1,000,000-redemption database with the real
 * migrations, then times every report for a full year, for the community and for one merchant (median of 5).
 * Exits non-zero when one is over the budget.
 *
 *   npx tsx bench/reports-bench.ts            a fresh database in a temp folder, removed afterwards
 *   REPORTS_BENCH_DB=/tmp/r.db npx tsx ...    keeps the file and reuses it on the next run
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { closeDatabase, openDatabase, type Db } from '../gateway/store/db.ts';
import { reportQueries, type ReportScope } from '../gateway/reports/report-queries.ts';
import { median } from './support.ts';

const REDEMPTIONS = 1_000_000;
const MERCHANTS = 30;
const DEVICES = 100;
const MEMBERS = 20_000;
const CAMPAIGNS = 50;
const BUDGET_MS = 300;
const RUNS = 5;
const YEAR_START = Date.UTC(2025, 0, 1) - 8 * 3_600_000; // 2025-01-01 00:00 Shanghai
const DAY = 86_400_000;

/** Shops are busy at lunch and in the evening: the heat map has something to show. */
const HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 1, 3, 5, 4, 4, 6, 9, 7, 4, 4, 5, 7, 10, 10, 8, 5, 2, 1];

/** A small deterministic generator: the same database every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Fills a migrated database with a year of synthetic redemptions, in one transaction. */
export function build(db: Db): void {
  const rnd = lcg(42);
  const hourCdf: number[] = [];
  const total = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);
  HOUR_WEIGHTS.reduce((acc, w) => {
    hourCdf.push((acc + w) / total);
    return acc + w;
  }, 0);
  const pickHour = (u: number) => hourCdf.findIndex((c) => u < c);
  const insert = db.prepare(
    `INSERT INTO redemptions (id, txn_id, fingerprint, device_id, merchant_id, member_id, state, created_at,
       captured_at, payable_fen, saving_fen, points_cost, points_earned, result)
     VALUES (?, ?, 'fp', ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)`,
  );
  const benefit = db.prepare(
    'INSERT INTO redemption_benefits (redemption_id, campaign_id, instance_id, saving_fen) VALUES (?, ?, NULL, ?)',
  );
  // a stored result is a few hundred bytes of JSON: the table is as wide as a real one
  const result = JSON.stringify({ ok: true, note: 'x'.repeat(200) });
  // in time order, as the gateway writes them: appends to the time-ordered indexes, not random inserts
  const times = Float64Array.from({ length: REDEMPTIONS }, () => {
    const day = Math.floor(rnd() * 365);
    return YEAR_START + day * DAY + pickHour(rnd()) * 3_600_000 + Math.floor(rnd() * 3_600_000);
  }).sort();
  // the build's own connection only: a big page cache keeps a million random member-index inserts in memory
  db.pragma('cache_size = -524288');
  db.transaction(() => {
    for (let i = 0; i < REDEMPTIONS; i++) {
      const at = times[i] ?? YEAR_START;
      const device = Math.floor(rnd() * DEVICES);
      const merchant = device % MERCHANTS;
      // a few members buy far more often than most
      const member = Math.floor(MEMBERS * rnd() ** 2);
      const u = rnd();
      const state = u < 0.95 ? 'captured' : u < 0.97 ? 'reversed' : u < 0.98 ? 'voided' : 'declined';
      const payable = 500 + Math.floor(rnd() * 20_000);
      const c1 = Math.floor(rnd() * CAMPAIGNS);
      const two = rnd() < 0.5;
      const s1 = 100 + Math.floor(rnd() * 1000);
      const s2 = two ? 50 + Math.floor(rnd() * 500) : 0;
      const id = `red_${i.toString(36).padStart(8, '0')}`;
      insert.run(id, `t${i}`, `dev-${device}`, `m${merchant}`, `mem${member}`, state, at, at, payable, s1 + s2, result);
      benefit.run(id, `camp${c1}`, s1);
      if (two) benefit.run(id, `camp${(c1 + 1 + Math.floor(rnd() * (CAMPAIGNS - 1))) % CAMPAIGNS}`, s2);
    }
  })();
  db.exec('ANALYZE');
}

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function main(): void {
  const keep = process.env.REPORTS_BENCH_DB;
  const dir = keep ? undefined : mkdtempSync(join(tmpdir(), 'linli-reports-'));
  const file = keep ?? join(dir ?? '', 'linli.db');
  const fresh = !existsSync(file);
  const writer = openDatabase(file);
  if (fresh) {
    const t0 = performance.now();
    build(writer);
    writer.pragma('wal_checkpoint(TRUNCATE)');
    console.log(
      `built ${REDEMPTIONS.toLocaleString('en')} redemptions in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  closeDatabase(writer);
  // the staff API reads on the read-only connection, as the gateway's Store opens it
  const reader = openDatabase(file, { readonly: true });
  const q = reportQueries(reader);
  const period = { from: YEAR_START, to: YEAR_START + 365 * DAY };
  const scopes: [string, ReportScope][] = [
    ['community', {}],
    ['merchant m7', { merchantId: 'm7' }],
    ['device dev-39', { deviceId: 'dev-39' }],
  ];
  const reports: [string, (s: ReportScope) => unknown][] = [
    ['heatmap', (s) => q.heatmap({ ...period, ...s })],
    ['merchants', (s) => q.merchants({ ...period, ...s })],
    ['benefits', (s) => q.benefits({ ...period, ...s })],
    ['summary', (s) => q.summary({ ...period, ...s })],
    ['daily', (s) => q.daily({ ...period, ...s })],
  ];
  const rows: { report: string; scope: string; medianMs: number; maxMs: number }[] = [];
  for (const [name, run] of reports) {
    for (const [scopeName, scope] of scopes) {
      run(scope); // the first run warms the page cache and prepares the statement
      const ms = Array.from({ length: RUNS }, () => time(() => run(scope)));
      rows.push({ report: name, scope: scopeName, medianMs: median(ms), maxMs: Math.max(...ms) });
    }
  }
  reader.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(`\nfull-year reports, median of ${RUNS} (budget ${BUDGET_MS} ms)`);
  console.log(`${'report'.padEnd(10)} ${'scope'.padEnd(12)} ${'median ms'.padStart(10)} ${'max ms'.padStart(8)}`);
  for (const r of rows) {
    const flag = r.medianMs > BUDGET_MS ? '  OVER' : '';
    const ms = `${r.medianMs.toFixed(1).padStart(10)} ${r.maxMs.toFixed(1).padStart(8)}`;
    console.log(`${r.report.padEnd(10)} ${r.scope.padEnd(12)} ${ms}${flag}`);
  }
  const over = rows.filter((r) => r.medianMs > BUDGET_MS);
  if (over.length > 0) {
    console.error(`\n${over.length} report(s) over ${BUDGET_MS} ms`);
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
