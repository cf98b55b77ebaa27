/**
 * Backup and restore times and file sizes, for the demo community and for a 1,000,000-redemption
 * database (built as bench/reports-bench.ts builds it); and which snapshot disturbs a writing gateway
 * less: the SQLite backup API in one step from another connection, or VACUUM INTO. A child process
 * commits a row at a time (synchronous=FULL, as the gateway) and reports its slowest commit meanwhile.
 *
 *   npx tsx bench/backup-bench.ts                                   temp folders, removed afterwards
 *   BACKUP_BENCH_DB=/var/tmp/linli-bench/linli.db npx tsx ...       keeps the big database and reuses it
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { makeBackup } from '../gateway/backup/make-backup.ts';
import { restoreBackup } from '../gateway/backup/restore-backup.ts';
import { checkBackup } from '../gateway/backup/verify-backup.ts';
import { loadInto } from '../gateway/cli/redemption-commands.ts';
import { demoFixture } from '../gateway/redemption/demo-fixture.ts';
import { FixtureSchema } from '../gateway/redemption/fixture.ts';
import { closeDatabase, openDatabase } from '../gateway/store/db.ts';
import { Store } from '../gateway/store/store.ts';
import { SqliteLedger } from '../gateway/redemption/ledger/sqlite-ledger.ts';
import { account } from '../gateway/redemption/service/ports.ts';
import { build } from './reports-bench.ts';

const SECRET = { passphrase: 'a passphrase for the bench' };
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

/** Backup (snapshot, encrypt, read back and check), a separate check, and a restore into a fresh folder. */
async function backupAndRestore(label: string, dataDir: string, work: string): Promise<void> {
  const stick = join(work, 'stick');
  mkdirSync(stick, { recursive: true });
  const dbBytes = statSync(join(dataDir, 'linli.db')).size;
  const [r, backupMs] = await timed(() =>
    makeBackup({ dataDir, gatewayId: 'bench', secret: SECRET, target: stick, now: () => Date.now() }),
  );
  const [, checkMs] = await timed(() => checkBackup(r.file, SECRET, join(work, 'check')));
  rmSync(join(work, 'check'), { recursive: true, force: true });
  const fresh = join(work, 'restored', 'data');
  const [, restoreMs] = await timed(() =>
    restoreBackup({ file: r.file, dataDir: fresh, secret: SECRET, now: () => Date.now() }),
  );
  console.log(
    `${label}: database ${mb(dbBytes)}, ${r.facts.counts.redemptions.toLocaleString('en')} redemptions, ` +
      `${r.ledger.entries.toLocaleString('en')} ledger entries\n` +
      `  backup ${s(backupMs)} (snapshot + encrypt + verify), file ${mb(r.bytes)}; ` +
      `verify alone ${s(checkMs)}; restore ${s(restoreMs)}`,
  );
  rmSync(join(work, 'restored'), { recursive: true, force: true });
  rmSync(stick, { recursive: true, force: true });
}

/** A writer in its own process, one commit at a time; prints its slowest commit (ms) when told to stop. */
const WRITER = `
const Database = require(process.argv[1]);
const db = new Database(process.argv[2]);
db.pragma('journal_mode = WAL'); db.pragma('synchronous = FULL'); db.pragma('busy_timeout = 5000');
db.exec('CREATE TABLE IF NOT EXISTS bench_writes (at INTEGER, pad TEXT)');
const ins = db.prepare('INSERT INTO bench_writes VALUES (?, ?)');
let max = 0, n = 0, stop = false;
process.stdin.on('data', () => { stop = true; });
process.stdout.write('ready\\n');
(function loop() {
  if (stop) { process.stdout.write(JSON.stringify({ max, n }) + '\\n'); db.close(); return; }
  const t0 = performance.now(); ins.run(Date.now(), 'x'.repeat(100)); n++;
  max = Math.max(max, performance.now() - t0);
  setImmediate(loop);
})();
`;

async function withWriter(dbFile: string, fn: () => Promise<void> | void): Promise<{ max: number; n: number }> {
  const child = spawn(process.execPath, ['-e', WRITER, require_('better-sqlite3'), dbFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 300)); // its steady state first
  await fn();
  child.stdin.end('stop\n');
  await new Promise((r) => child.on('exit', r));
  return JSON.parse(out.split('\n').find((l) => l.startsWith('{')) ?? '{}') as { max: number; n: number };
}

function require_(name: string): string {
  return new URL(import.meta.resolve(name)).pathname;
}

/** Which snapshot stalls a writing gateway less: backup API in one step, or VACUUM INTO. */
async function disturbance(dbFile: string, work: string): Promise<void> {
  const idle = await withWriter(dbFile, () => new Promise((r) => setTimeout(r, 1000)));
  const copy = join(work, 'snap.db');
  let apiMs = 0;
  const api = await withWriter(dbFile, async () => {
    const db = new Database(dbFile, { timeout: 5000 });
    const t0 = performance.now();
    await db.backup(copy, { progress: () => 0x7fffffff });
    apiMs = performance.now() - t0;
    db.close();
  });
  rmSync(copy, { force: true });
  let vacMs = 0;
  const vac = await withWriter(dbFile, () => {
    const db = new Database(dbFile, { timeout: 5000 });
    const t0 = performance.now();
    db.exec(`VACUUM INTO '${copy.replaceAll("'", "''")}'`);
    vacMs = performance.now() - t0;
    db.close();
  });
  rmSync(copy, { force: true });
  const db = new Database(dbFile);
  db.exec('DROP TABLE IF EXISTS bench_writes');
  db.close();
  console.log(
    `  writer's slowest commit: idle ${idle.max.toFixed(1)} ms; during backup API (one step, ${s(apiMs)}) ` +
      `${api.max.toFixed(1)} ms over ${api.n} commits; during VACUUM INTO (${s(vacMs)}) ${vac.max.toFixed(1)} ms ` +
      `over ${vac.n} commits`,
  );
}

/**
 * reports-bench's database has redemptions only: each captured one gets its two ledger entries (the
 * issuer pays the merchant), so `ledger verify` in the backup's check has a real chain to walk.
 */
function addLedger(file: string): void {
  const db = openDatabase(file);
  try {
    if (db.prepare('SELECT 1 FROM ledger LIMIT 1').get()) return;
    const t0 = performance.now();
    const rows = db
      .prepare<[], { id: string; merchant_id: string; payable_fen: number; captured_at: number }>(
        "SELECT id, merchant_id, payable_fen, captured_at FROM redemptions WHERE state = 'captured' ORDER BY rowid",
      )
      .all();
    const ledger = new SqliteLedger(db);
    db.transaction(() => {
      for (const r of rows)
        ledger.append([
          {
            at: r.captured_at,
            txnId: r.id,
            redemptionId: r.id,
            account: account.issuerFen,
            asset: 'fen',
            delta: -r.payable_fen,
            reason: 'capture',
          },
          {
            at: r.captured_at,
            txnId: r.id,
            redemptionId: r.id,
            account: account.merchant(r.merchant_id),
            asset: 'fen',
            delta: r.payable_fen,
            reason: 'capture',
          },
        ]);
    })();
    console.log(`added ${(rows.length * 2).toLocaleString('en')} ledger entries in ${s(performance.now() - t0)}`);
  } finally {
    closeDatabase(db);
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'linli-backup-bench-'));
  try {
    const demo = join(work, 'demo');
    const store = new Store(demo);
    loadInto(store, demo, FixtureSchema.parse(demoFixture()));
    store.close();
    await backupAndRestore('demo community', demo, join(work, 'demo-work'));
    await disturbance(join(demo, 'linli.db'), work);

    const keep = process.env.BACKUP_BENCH_DB;
    if (keep && basename(keep) !== 'linli.db') throw new Error('BACKUP_BENCH_DB must name a file called linli.db');
    const bigDir = keep ? dirname(keep) : join(work, 'big');
    const bigFile = join(bigDir, 'linli.db');
    if (!existsSync(bigFile)) {
      mkdirSync(bigDir, { recursive: true, mode: 0o700 });
      const t0 = performance.now();
      const db = openDatabase(bigFile);
      build(db);
      closeDatabase(db);
      console.log(`built 1,000,000 redemptions in ${s(performance.now() - t0)}`);
    }
    addLedger(bigFile);
    await backupAndRestore('1,000,000 redemptions', bigDir, join(work, 'big-work'));
    // streamed: the process's peak memory stays far below the database's size
    console.log(`  peak memory (max RSS) of this process so far: ${mb(process.resourceUsage().maxRSS * 1024)}`);
    await disturbance(bigFile, work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
