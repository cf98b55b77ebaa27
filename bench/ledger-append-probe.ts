/**
 * The money path's cost of the ledger itself: µs per redemption-sized append (4 movements, one transaction
 * each, as the writer commits them), on a database file. `npx tsx bench/ledger-append-probe.ts [units] [--clear]`.
 * Measures the hashing and SQL, not fsync (synchronous=OFF here), so a change in hashing shows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteLedger } from '../gateway/redemption/ledger/sqlite-ledger.ts';
import { Store } from '../gateway/store/store.ts';

const units = Number(process.argv[2] ?? 20000);
// --clear: as before migration 24 (accounts hashed in clear), for a before/after on the same machine and moment
const clear = process.argv.includes('--clear');
const dir = mkdtempSync(join(tmpdir(), 'linli-ledger-probe-'));
const store = new Store(dir);
try {
  store.db.pragma('synchronous = OFF');
  if (clear) store.db.exec('DROP TABLE privacy_keys');
  const ledger = new SqliteLedger(store.db);
  const unit = (i: number) =>
    store.db.transaction(() =>
      ledger.append([
        {
          at: i,
          txnId: `t${i}`,
          redemptionId: `r${i}`,
          account: 'issuer:stored-value',
          asset: 'fen',
          delta: -300,
          reason: 'topup',
        },
        {
          at: i,
          txnId: `t${i}`,
          redemptionId: `r${i}`,
          account: `wallet:m-${i % 5000}`,
          asset: 'fen',
          delta: 300,
          reason: 'topup',
        },
        {
          at: i,
          txnId: `t${i}`,
          redemptionId: `r${i}`,
          account: `wallet:m-${i % 5000}`,
          asset: 'fen',
          delta: -300,
          reason: 'capture',
        },
        {
          at: i,
          txnId: `t${i}`,
          redemptionId: `r${i}`,
          account: `merchant:shop-${i % 40}`,
          asset: 'fen',
          delta: 300,
          reason: 'capture',
        },
      ]),
    )();
  for (let i = 0; i < 2000; i++) unit(i);
  const t0 = performance.now();
  for (let i = 2000; i < 2000 + units; i++) unit(i);
  const us = ((performance.now() - t0) * 1000) / units;
  console.log(`${units} units of 4 movements${clear ? ' (clear accounts)' : ''}: ${us.toFixed(1)} µs per unit`);
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
