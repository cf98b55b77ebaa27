import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { SqliteLedger } from '../../gateway/redemption/ledger/sqlite-ledger.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';
import { describeLedgerContract, type LedgerSubject } from './ledger.contract.ts';

/**
 * LedgerPort has one implementation, the hash-chained SqliteLedger; every test that needs a ledger
 * (test/redemption/service-harness.ts, test/ledger, the gateway) uses it on a Store. It runs here as
 * the gateway opens it (a database file in a data folder) and on an in-memory Store. The one stand-in
 * elsewhere, `{ balance: () => 1000, append: () => undefined }` in test/flows/vending-race.test.ts, is
 * a constant stub for a test that never reads the ledger, not a ledger: it is not run here.
 */
function sqliteLedger(dataDir: string, cleanup: () => void): LedgerSubject {
  const store = new Store(dataDir);
  const db = store.db;
  const unguard = () => db.exec('DROP TRIGGER IF EXISTS ledger_no_update; DROP TRIGGER IF EXISTS ledger_no_delete;');
  return {
    ledger: new SqliteLedger(db),
    inTransaction: (fn) => db.transaction(fn)(),
    verify: () => verifyLedger(db),
    tamper: {
      setDelta: (seq, delta) => (unguard(), db.prepare('UPDATE ledger SET delta = ? WHERE seq = ?').run(delta, seq)),
      deleteEntry: (seq) => (unguard(), db.prepare('DELETE FROM ledger WHERE seq = ?').run(seq)),
      setBalance: (account, asset, balance) =>
        db.prepare('UPDATE balances SET balance = ? WHERE account = ? AND asset = ?').run(balance, account, asset),
    },
    close: () => (store.close(), cleanup()),
  };
}

describeLedgerContract('SqliteLedger on a database file', () => {
  const tmp = tempDir('linli-contract-ledger-');
  return sqliteLedger(tmp.dir, tmp.cleanup);
});

describeLedgerContract('SqliteLedger on an in-memory Store', () => sqliteLedger(':memory:', () => undefined));
