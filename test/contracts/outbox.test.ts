import { OutboxRepo } from '../../gateway/cloud/outbox-repo.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';
import { describeOutboxContract } from './outbox.contract.ts';

/**
 * The outbox has one implementation, OutboxRepo on the gateway's SQLite file; no test fakes it (the
 * cloud tests and the gateway use OutboxRepo itself). It runs here as the gateway builds it: a Store
 * in a data folder, time from the injected clock.
 */
describeOutboxContract('OutboxRepo on a database file', () => {
  const tmp = tempDir('linli-contract-outbox-');
  const clock = new ManualClock();
  const gatewayId = 'gw-contract';
  let store = new Store(tmp.dir);
  const open = () => new OutboxRepo(store.db, gatewayId, () => clock.now());
  return {
    outbox: open(),
    inTransaction: (fn) => store.db.transaction(fn)(),
    advance: (ms) => clock.advance(ms),
    reopen: () => {
      store.close();
      store = new Store(tmp.dir);
      return open();
    },
    gatewayId,
    close: () => (store.close(), tmp.cleanup()),
  };
});
