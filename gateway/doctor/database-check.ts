import { join } from 'node:path';
import Database from 'better-sqlite3';
import { verifyLedger } from '../redemption/ledger/ledger-verify.ts';
import type { Check } from './context.ts';
import { fail, type Finding, ok, warn } from './finding.ts';

const problemText = (p: { kind: string; seq?: number; detail: string }) =>
  `${p.kind}${p.seq ? ` at seq ${p.seq}` : ''}: ${p.detail}`;

/**
 * The checks read the whole file on the event loop: inside the running gateway (the API) only a database
 * this small is checked, so the broker is never held up for more than a fraction of a second.
 */
export const IN_PROCESS_MAX_BYTES = 64 * 1024 * 1024;

const FIX_RESTORE = 'stop the gateway and restore the last good backup: linli restore FILE';

/**
 * `PRAGMA quick_check` and the ledger's verification, on a read-only connection of its own: safe beside a
 * running gateway (WAL readers never block its writer, and this one cannot write).
 */
export const databaseCheck: Check = {
  id: 'database',
  async run(ctx) {
    const file = join(ctx.config.dataDir, 'linli.db');
    if (!(await ctx.io.stat(file)))
      return [warn('database', `no database at ${file} yet`, 'start the gateway once: linli start --config FILE')];
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
    } catch (err) {
      return [
        fail(
          'database',
          `cannot open ${file}: ${(err as Error).message}`,
          "run doctor as the gateway's user (sudo -u linli)",
        ),
      ];
    }
    const found: Finding[] = [];
    try {
      db.pragma('busy_timeout = 2000');
      const bytes =
        (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
      if (ctx.gateway === 'this-process' && bytes > IN_PROCESS_MAX_BYTES)
        return [
          ok(
            'database',
            `${file} (${Math.round(bytes / 1048576)} MB) is checked by \`linli doctor\` on the box, ` +
              'not inside the running gateway (it would hold the broker up)',
          ),
        ];
      const rows = db.pragma('quick_check') as { quick_check: string }[];
      const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
      found.push(
        problems.length === 0
          ? ok('database.quick-check', `${file}: quick_check ok`)
          : fail('database.quick-check', `${file} is damaged: ${problems.slice(0, 3).join('; ')}`, FIX_RESTORE),
      );
      const ledger = verifyLedger(db, 5);
      found.push(
        ledger.ok
          ? ok('database.ledger', `ledger verified: ${ledger.entries} entries, ${ledger.accounts} accounts`)
          : fail(
              'database.ledger',
              `ledger problems: ${ledger.problems.map(problemText).join('; ')}`,
              'see all of them: linli ledger verify --data DIR; then restore the last good backup',
            ),
      );
    } catch (err) {
      found.push(fail('database', `${file}: ${(err as Error).message}`, FIX_RESTORE));
    } finally {
      db.close();
    }
    return found;
  },
};
