import { basename } from 'node:path';
import Database from 'better-sqlite3';
import { type LedgerReport, verifyLedger } from '../redemption/ledger/ledger-verify.ts';
import { runNodeChild } from './node-child.ts';

/**
 * The `linli` script this process runs from, when it does (`linli start`, `linli backup`): a child can
 * run `linli ledger verify` from it. Undefined inside tests and benches, which check in-process.
 */
function linliBin(): string | undefined {
  const main = process.argv[1];
  return main && /^linli(\.mjs)?$/.test(basename(main)) ? main : undefined;
}

/**
 * `ledger verify` of the database in `dataDir`. Walking and hashing 1.9 million entries took 29 s here:
 * from a running gateway (or any linli process) it runs as `linli ledger verify` in a child process, so
 * the event loop goes on answering devices meanwhile.
 */
export async function ledgerCheck(dataDir: string, dbFile: string, signal?: AbortSignal): Promise<LedgerReport> {
  const bin = linliBin();
  if (!bin) {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return verifyLedger(db, 5);
    } finally {
      db.close();
    }
  }
  // defaults, not the service's config file: the copy is checked as it is
  const { code, out, err } = await runNodeChild([bin, 'ledger', 'verify', '--data', dataDir, '--json'], {
    env: { ...process.env, LINLI_CONFIG: '', LINLI_DATA_DIR: '' },
    signal,
  });
  try {
    return JSON.parse(out) as LedgerReport;
  } catch {
    throw new Error(`ledger verify did not run (exit ${code}): ${err.trim().split('\n')[0] ?? ''}`);
  }
}
