import { ManualClock } from '../../gateway/core/clock.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { AccrualSchema } from '../../gateway/redemption/domain/model.ts';
import { account, type Asset, type LedgerMovement, type LedgerPort, type WriterPort } from '../../gateway/redemption/service/ports.ts';
import { RedemptionService, type RedemptionConfig } from '../../gateway/redemption/service/redemption-service.ts';
import { CatalogRepo } from '../../gateway/redemption/store/catalog-repo.ts';
import { RedemptionRepo } from '../../gateway/redemption/store/redemption-repo.ts';
import { UsageRepo } from '../../gateway/redemption/store/usage-repo.ts';
import type { Db } from '../../gateway/store/db.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';

/** A ledger double that keeps balances and refuses overdrafts, recording every movement. */
export class MemoryLedger implements LedgerPort {
  readonly entries: LedgerMovement[] = [];
  private readonly balances = new Map<string, number>();
  append(entries: LedgerMovement[]): void {
    const next = new Map(this.balances);
    for (const e of entries) {
      const k = `${e.account}|${e.asset}`;
      const v = (next.get(k) ?? 0) + e.delta;
      if (v < 0 && /^(wallet|points|uses|held|merchant):/.test(e.account)) throw Object.assign(new Error(`INSUFFICIENT_FUNDS ${k}`), { code: 'INSUFFICIENT_FUNDS' });
      next.set(k, v);
    }
    for (const [k, v] of next) this.balances.set(k, v);
    this.entries.push(...entries);
  }
  balance(acct: string, asset: Asset): number {
    return this.balances.get(`${acct}|${asset}`) ?? 0;
  }
  /** Every asset sums to zero across accounts: double entry. */
  sums(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.entries) out[e.asset] = (out[e.asset] ?? 0) + e.delta;
    return out;
  }
}

/** Runs each unit in its own transaction at once (the group committer batches them in production). */
export class ImmediateWriter implements WriterPort {
  constructor(private readonly db: Db) {}
  submit<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(this.db.transaction(work)());
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

export const TEST_CONFIG: RedemptionConfig = {
  timezone: 'Asia/Shanghai',
  maxBenefitsPerPurchase: 3,
  holdTimeoutMs: 60_000,
  reversalWindowMs: 24 * 3600_000,
  accrual: AccrualSchema.parse({ pointsPerYuan: 1, tierMultipliers: { gold: 2 } }),
  lowTrust: { perTxnFen: 2000, perDayFen: 5000 },
};

export function serviceHarness(start = Date.UTC(2026, 10, 18, 6, 0)) {
  const tmp = tempDir('linli-redeem-');
  const store = new Store(tmp.dir);
  const clock = new ManualClock(start);
  const ledger = new MemoryLedger();
  const catalog = new CatalogRepo(store.db);
  const usage = new UsageRepo(store.db);
  const redemptions = new RedemptionRepo(store.db);
  const svc = new RedemptionService({ writer: new ImmediateWriter(store.db), ledger, catalog, usage, redemptions, clock, log: silentLogger(), config: TEST_CONFIG });
  const topUp = (memberId: string, fen: number, points = 0) => {
    ledger.append([
      { at: 0, txnId: 't', redemptionId: '-', account: account.issuerFen, asset: 'fen', delta: -fen, reason: 'topup' },
      { at: 0, txnId: 't', redemptionId: '-', account: account.wallet(memberId), asset: 'fen', delta: fen, reason: 'topup' },
      ...(points ? [{ at: 0, txnId: 't', redemptionId: '-', account: account.issuerPoints, asset: 'points' as const, delta: -points, reason: 'topup' as const }, { at: 0, txnId: 't', redemptionId: '-', account: account.points(memberId), asset: 'points' as const, delta: points, reason: 'topup' as const }] : []),
    ]);
  };
  return { tmp, store, clock, ledger, catalog, usage, redemptions, svc, topUp, close: () => (store.close(), tmp.cleanup()) };
}
