import { LinliError } from '../../../firmware-protocol/src/errors.ts';
import type { Db } from '../../store/db-type.ts';
import type { Asset, LedgerMovement, LedgerPort } from '../service/ports.ts';
import { hashedAccountCache, isPseudonym, ledgerKey } from './account-digest.ts';
import { entryHash, GENESIS_HASH } from './entry-hash.ts';

/** Accounts that hold a resident's or a device's value: never below zero. Issuer accounts may be. */
const NON_NEGATIVE = /^(wallet|points|uses|held|merchant|points-spent):/;

/**
 * The append-only, hash-chained ledger of every movement of money (fen), points and benefit uses.
 * `append` must run inside the caller's transaction (the single writer's), so movements and the change
 * they describe commit together; a movement that would overdraw an account aborts the whole unit.
 */
export class SqliteLedger implements LedgerPort {
  private readonly s;
  /** The account as the hashes cover it (its keyed digest, migration 24). */
  private readonly hashed;
  constructor(db: Db) {
    // most redemptions come from residents seen lately: ~20,000 accounts (~3 MB) spare most HMACs
    this.hashed = hashedAccountCache(ledgerKey(db), 20_000);
    this.s = {
      last: db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1'),
      insert: db.prepare(
        `INSERT INTO ledger (seq, at, txn_id, redemption_id, account, asset, delta, reason, prev_hash, hash)
         VALUES (@seq, @at, @txnId, @redemptionId, @account, @asset, @delta, @reason, @prevHash, @hash)`,
      ),
      balance: db.prepare<[string, string], { balance: number }>(
        'SELECT balance FROM balances WHERE account = ? AND asset = ?',
      ),
      bump: db.prepare(
        `INSERT INTO balances (account, asset, balance) VALUES (@account, @asset, @delta)
         ON CONFLICT(account, asset) DO UPDATE SET balance = balance + @delta`,
      ),
      byRedemption: db.prepare<[string], { seq: number; account: string; asset: Asset; delta: number; reason: string }>(
        'SELECT seq, account, asset, delta, reason FROM ledger WHERE redemption_id = ? ORDER BY seq',
      ),
    };
  }

  append(entries: LedgerMovement[]): void {
    if (entries.length === 0) return;
    const last = this.s.last.get();
    let seq = last?.seq ?? 0;
    let prevHash = last?.hash ?? GENESIS_HASH;
    const after = new Map<string, number>();
    for (const e of entries) {
      if (!Number.isSafeInteger(e.delta) || e.delta === 0)
        throw new Error(`ledger delta must be a non-zero integer, got ${e.delta}`);
      // a pseudonymised account's owner is gone: value moved to it could never be paid out or refunded
      if (isPseudonym(e.account))
        throw new LinliError(
          'REDEMPTION_STATE',
          `${e.account} is pseudonymised (past retention, or its member erased): no value moves to it`,
        );
      const key = `${e.account}\u0000${e.asset}`;
      const next = (after.get(key) ?? this.balance(e.account, e.asset)) + e.delta;
      if (next < 0 && NON_NEGATIVE.test(e.account)) {
        throw new LinliError('REDEMPTION_STATE', `${e.account} would go below zero`, { refusal: 'INSUFFICIENT_FUNDS' });
      }
      after.set(key, next);
    }
    for (const e of entries) {
      seq += 1;
      const fields = {
        seq,
        at: e.at,
        txnId: e.txnId,
        redemptionId: e.redemptionId,
        account: e.account,
        asset: e.asset,
        delta: e.delta,
        reason: e.reason,
      };
      const hash = entryHash(prevHash, { ...fields, account: this.hashed(e.account) });
      this.s.insert.run({ ...fields, prevHash, hash });
      this.s.bump.run({ account: e.account, asset: e.asset, delta: e.delta });
      prevHash = hash;
    }
  }

  balance(account: string, asset: Asset): number {
    return this.s.balance.get(account, asset)?.balance ?? 0;
  }

  movementsOf(redemptionId: string): { seq: number; account: string; asset: Asset; delta: number; reason: string }[] {
    return this.s.byRedemption.all(redemptionId);
  }
}
