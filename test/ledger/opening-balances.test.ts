import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { SqliteLedger } from '../../gateway/redemption/ledger/sqlite-ledger.ts';
import { LedgerOpeningBalances } from '../../gateway/redemption/opening-balances.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';

/** Opening balances (linli load, members from the cloud) as ledger movements from the issuer accounts. */
describe('opening balances posted in a batch', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let ledger: SqliteLedger;
  let openings: LedgerOpeningBalances;
  beforeEach(() => {
    tmp = tempDir();
    store = new Store(tmp.dir);
    ledger = new SqliteLedger(store.db);
    openings = new LedgerOpeningBalances(ledger);
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  const rows = () =>
    store.db
      .prepare<[], { account: string; asset: string; delta: number }>(
        'SELECT account, asset, delta FROM ledger ORDER BY seq',
      )
      .all();
  const member = (uses: number[]) =>
    store.db.transaction(() =>
      openings.batch(() => {
        openings.setOpening('m-1', 500, 100, 'load-1', 0);
        uses.forEach((n, i) => {
          openings.setUses(`i-${i + 1}`, n, 'load-1', 0);
        });
      }),
    )();

  it("one issuer entry per account and asset, every benefit's own; each account moves by exactly its opening", () => {
    member([3, 2, 1]);
    expect(rows()).toEqual([
      { account: account.issuerFen, asset: 'fen', delta: -500 },
      { account: account.wallet('m-1'), asset: 'fen', delta: 500 },
      { account: account.issuerPoints, asset: 'points', delta: -100 },
      { account: account.points('m-1'), asset: 'points', delta: 100 },
      { account: account.issuerUses, asset: 'uses', delta: -6 },
      { account: account.uses('i-1'), asset: 'uses', delta: 3 },
      { account: account.uses('i-2'), asset: 'uses', delta: 2 },
      { account: account.uses('i-3'), asset: 'uses', delta: 1 },
    ]);
    expect([1, 2, 3].map((i) => ledger.balance(account.uses(`i-${i}`), 'uses'))).toEqual([3, 2, 1]);
    expect(ledger.balance(account.issuerUses, 'uses')).toBe(-6);
    expect(verifyLedger(store.db).problems).toEqual([]);
  });

  it('loaded again with other figures: only the differences move; an issuer side summing to zero is not posted', () => {
    member([3, 2, 1]);
    const before = rows().length;
    // one benefit's uses go down by two, another's up by two: the issuer's side sums to nothing
    member([1, 4, 1]);
    expect(rows().slice(before)).toEqual([
      { account: account.uses('i-1'), asset: 'uses', delta: -2 },
      { account: account.uses('i-2'), asset: 'uses', delta: 2 },
    ]);
    expect([1, 2, 3].map((i) => ledger.balance(account.uses(`i-${i}`), 'uses'))).toEqual([1, 4, 1]);
    expect(ledger.balance(account.issuerUses, 'uses')).toBe(-6);
    expect(verifyLedger(store.db).problems).toEqual([]);
  });

  it('outside a batch each opening is its own append, as before', () => {
    store.db.transaction(() => {
      openings.setUses('i-1', 3, 'load-1', 0);
      openings.setUses('i-2', 2, 'load-1', 0);
    })();
    expect(rows().filter((r) => r.account === account.issuerUses)).toHaveLength(2);
    expect(verifyLedger(store.db).problems).toEqual([]);
  });
});
