import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerReport } from '../../gateway/redemption/ledger/ledger-verify.ts';
import type { Asset, LedgerMovement, LedgerPort } from '../../gateway/redemption/service/ports.ts';

/** A fresh ledger and what the contract needs to observe it. */
export interface LedgerSubject {
  ledger: LedgerPort;
  /**
   * Runs `fn` as the caller's transaction (a unit of the single writer): committed when `fn` returns,
   * rolled back when it throws. The port says every call runs inside one.
   */
  inTransaction<T>(fn: () => T): T;
  /** `linli ledger verify` over everything appended so far. */
  verify(): LedgerReport;
  /** Someone with the file, going around the ledger (its append-only triggers removed first). */
  tamper: {
    setDelta(seq: number, delta: number): void;
    deleteEntry(seq: number): void;
    setBalance(account: string, asset: Asset, balance: number): void;
  };
  close(): void;
}

/** Accounts the implementations never let go below zero; the issuer accounts (sources of value) may. */
const GUARDED = /^(wallet|points|uses|held|merchant|points-spent):/;

const move = (account: string, delta: number, asset: Asset = 'fen', txnId = 't'): LedgerMovement => ({
  at: 1,
  txnId,
  redemptionId: 'r',
  account,
  asset,
  delta,
  reason: 'topup',
});
/** A balanced transfer: `amount` leaves `from` and arrives in `to` (double entry). */
const transfer = (from: string, to: string, amount: number, asset: Asset = 'fen') => [
  move(from, -amount, asset),
  move(to, amount, asset),
];

/**
 * The contract of LedgerPort (gateway/redemption/service/ports.ts) together with `linli ledger verify`:
 * what every ledger the redemption engine can be given must guarantee.
 */
export function describeLedgerContract(name: string, factory: () => LedgerSubject): void {
  describe(`LedgerPort contract: ${name}`, () => {
    let s: LedgerSubject;
    const append = (entries: LedgerMovement[]) => s.inTransaction(() => s.ledger.append(entries));
    beforeEach(() => {
      s = factory();
    });
    afterEach(() => s.close());

    it('a fresh ledger has a zero balance for every account and asset, and verifies clean with no entries', () => {
      expect(s.ledger.balance('wallet:m-1', 'fen')).toBe(0);
      expect(s.ledger.balance('issuer:points', 'points')).toBe(0);
      expect(s.verify()).toMatchObject({ ok: true, entries: 0, problems: [] });
    });

    it('a balance is the sum of the deltas appended to that account, kept apart per asset', () => {
      append(transfer('issuer:stored-value', 'wallet:m-1', 1000));
      append(transfer('wallet:m-1', 'merchant:cafe-01', 300));
      append(transfer('issuer:points', 'wallet:m-1', 40, 'points'));
      expect(s.ledger.balance('wallet:m-1', 'fen')).toBe(700);
      expect(s.ledger.balance('wallet:m-1', 'points')).toBe(40);
      expect(s.ledger.balance('merchant:cafe-01', 'fen')).toBe(300);
      expect(s.ledger.balance('issuer:stored-value', 'fen')).toBe(-1000);
      expect(s.ledger.balance('merchant:cafe-01', 'points')).toBe(0);
    });

    it('an append inside the caller’s transaction rolls back with it, and the chain continues without a gap', () => {
      append(transfer('issuer:stored-value', 'wallet:m-1', 500));
      expect(() =>
        s.inTransaction(() => {
          s.ledger.append(transfer('wallet:m-1', 'merchant:cafe-01', 200));
          expect(s.ledger.balance('wallet:m-1', 'fen')).toBe(300); // seen inside the transaction
          throw new Error('the unit of work failed after the ledger movement');
        }),
      ).toThrow(/unit of work failed/);
      expect(s.ledger.balance('wallet:m-1', 'fen')).toBe(500);
      expect(s.ledger.balance('merchant:cafe-01', 'fen')).toBe(0);
      append(transfer('wallet:m-1', 'merchant:cafe-01', 100));
      expect(s.verify()).toMatchObject({ ok: true, entries: 4, problems: [] });
    });

    it(
      'an append that would take a resident’s or merchant’s account below zero is refused ' +
        'and writes none of its movements, even when the caller catches the error and commits',
      () => {
        append(transfer('issuer:stored-value', 'wallet:m-1', 100));
        s.inTransaction(() => {
          expect(() => s.ledger.append(transfer('wallet:m-1', 'merchant:cafe-01', 101))).toThrow(/below zero/);
          // the caller goes on and commits: nothing of the refused append may be in that commit
        });
        expect(s.ledger.balance('wallet:m-1', 'fen')).toBe(100);
        expect(s.ledger.balance('merchant:cafe-01', 'fen')).toBe(0);
        expect(s.verify()).toMatchObject({ ok: true, entries: 2 });
      },
    );

    it('issuer accounts, the sources of value, may go below zero', () => {
      append(transfer('issuer:uses', 'uses:i-1', 3, 'uses'));
      expect(s.ledger.balance('issuer:uses', 'uses')).toBe(-3);
      expect(s.ledger.balance('uses:i-1', 'uses')).toBe(3);
    });

    it.each([
      ['zero', 0],
      ['fractional', 1.5],
      ['not a number', Number.NaN],
      ['beyond the safe integers', 2 ** 53],
    ])('a movement with a %s delta is refused and nothing of its append is written', (_what, delta) => {
      s.inTransaction(() => {
        expect(() => s.ledger.append([move('issuer:stored-value', -5), move('wallet:m-1', delta)])).toThrow(/delta/);
      });
      expect(s.ledger.balance('issuer:stored-value', 'fen')).toBe(0);
      expect(s.verify().entries).toBe(0);
    });

    it('an empty append is a no-op', () => {
      append([]);
      expect(s.verify()).toMatchObject({ ok: true, entries: 0 });
    });

    // What is true, not what the port's comment suggests: append itself does not enforce double entry.
    // An append whose movements do not sum to zero is written; verify is what reports it, and only as a
    // per-asset sum over the whole ledger (two unbalanced appends that offset each other verify clean).
    it(
      'append does not enforce double entry: ' +
        'an unbalanced append is written, and verify reports the asset unbalanced',
      () => {
        append([move('issuer:stored-value', -100)]);
        expect(s.ledger.balance('issuer:stored-value', 'fen')).toBe(-100);
        const r = s.verify();
        expect(r.ok).toBe(false);
        expect(r.problems).toEqual([{ kind: 'asset_unbalanced', detail: 'fen movements sum to -100, not 0' }]);
      },
    );

    it(
      'property: after any sequence of balanced transfers, each balance is the sum of its accepted deltas, ' +
        'guarded accounts never go below zero, and verify passes',
      () => {
        const accounts = ['issuer:stored-value', 'issuer:points', 'wallet:a', 'wallet:b', 'merchant:x', 'held:r-1'];
        const assets: Asset[] = ['fen', 'points', 'uses'];
        fc.assert(
          fc.property(
            fc.array(
              fc.tuple(
                fc.constantFrom(...accounts),
                fc.constantFrom(...accounts),
                fc.integer({ min: 1, max: 400 }),
                fc.constantFrom(...assets),
                fc.boolean(),
              ),
              { maxLength: 30 },
            ),
            (steps) => {
              s.close();
              s = factory();
              const model = new Map<string, number>();
              const key = (a: string, asset: Asset) => `${a} ${asset}`;
              let entries = 0;
              for (const [from, to, amount, asset, rollBack] of steps) {
                if (from === to) continue;
                const next = (a: string, d: number) => (model.get(key(a, asset)) ?? 0) + d;
                const refused =
                  (GUARDED.test(from) && next(from, -amount) < 0) || (GUARDED.test(to) && next(to, amount) < 0);
                try {
                  s.inTransaction(() => {
                    s.ledger.append(transfer(from, to, amount, asset));
                    if (rollBack) throw new Error('rolled back by the caller');
                  });
                } catch (err) {
                  expect(String(err)).toMatch(refused ? /below zero/ : /rolled back by the caller/);
                }
                if (refused || rollBack) continue;
                model.set(key(from, asset), next(from, -amount));
                model.set(key(to, asset), next(to, amount));
                entries += 2;
              }
              for (const a of accounts)
                for (const asset of assets) {
                  expect(s.ledger.balance(a, asset)).toBe(model.get(key(a, asset)) ?? 0);
                  if (GUARDED.test(a)) expect(s.ledger.balance(a, asset)).toBeGreaterThanOrEqual(0);
                }
              expect(s.verify()).toMatchObject({ ok: true, entries, problems: [] });
            },
          ),
          { numRuns: 25, seed: 424 },
        );
      },
    );

    describe('tamper is detected by verify', () => {
      beforeEach(() => {
        append(transfer('issuer:stored-value', 'wallet:m-1', 100)); // seq 1, 2
        append(transfer('wallet:m-1', 'merchant:cafe-01', 40)); // seq 3, 4
        append(transfer('merchant:cafe-01', 'wallet:m-1', 10)); // seq 5, 6
        expect(s.verify().ok).toBe(true);
      });
      const kinds = () => s.verify().problems.map((p) => p.kind);

      it('an edited amount: the entry’s hash, its account’s balance and the asset’s sum no longer match', () => {
        s.tamper.setDelta(3, -4);
        expect(s.verify().ok).toBe(false);
        expect(kinds()).toEqual(expect.arrayContaining(['hash_mismatch', 'balance_mismatch', 'asset_unbalanced']));
      });

      it('a deleted entry: a gap in the sequence and a break in the chain', () => {
        s.tamper.deleteEntry(4);
        expect(kinds()).toEqual(expect.arrayContaining(['seq_gap', 'chain_break']));
      });

      it('a deleted pair of movements that sums to zero, balances fixed up to match: found by the chain alone', () => {
        s.tamper.deleteEntry(3);
        s.tamper.deleteEntry(4);
        s.tamper.setBalance('wallet:m-1', 'fen', 110);
        s.tamper.setBalance('merchant:cafe-01', 'fen', -10);
        expect(kinds()).toEqual(['seq_gap', 'chain_break']);
      });

      it('an edited balance: the balance no longer equals what the ledger sums to', () => {
        s.tamper.setBalance('wallet:m-1', 'fen', 1000);
        expect(s.verify().problems).toEqual([
          { kind: 'balance_mismatch', account: 'wallet:m-1 (fen)', detail: 'balance 1000, ledger sums to 70' },
        ]);
      });
    });
  });
}
