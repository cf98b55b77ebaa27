import { ManualClock } from '../../gateway/core/clock.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { AccrualSchema } from '../../gateway/redemption/domain/model.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { SqliteLedger } from '../../gateway/redemption/ledger/sqlite-ledger.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { BatchWriter } from '../../gateway/store/batch-writer.ts';
import { RedemptionService, type RedemptionConfig } from '../../gateway/redemption/service/redemption-service.ts';
import { CatalogRepo } from '../../gateway/redemption/store/catalog-repo.ts';
import { RedemptionRepo } from '../../gateway/redemption/store/redemption-repo.ts';
import { UsageRepo } from '../../gateway/redemption/store/usage-repo.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';

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
  const ledger = new SqliteLedger(store.db);
  const writer = new BatchWriter(store.db, { maxWaitMs: 1, maxBatch: 64 });
  const catalog = new CatalogRepo(store.db);
  const usage = new UsageRepo(store.db);
  const redemptions = new RedemptionRepo(store.db);
  const svc = new RedemptionService({
    writer: writer,
    ledger,
    catalog,
    usage,
    redemptions,
    clock,
    log: silentLogger(),
    config: TEST_CONFIG,
  });
  const topUp = (memberId: string, fen: number, points = 0) => {
    store.db.transaction(() =>
      ledger.append([
        {
          at: 0,
          txnId: 't',
          redemptionId: '-',
          account: account.issuerFen,
          asset: 'fen',
          delta: -fen,
          reason: 'topup',
        },
        {
          at: 0,
          txnId: 't',
          redemptionId: '-',
          account: account.wallet(memberId),
          asset: 'fen',
          delta: fen,
          reason: 'topup',
        },
        ...(points
          ? [
              {
                at: 0,
                txnId: 't',
                redemptionId: '-',
                account: account.issuerPoints,
                asset: 'points' as const,
                delta: -points,
                reason: 'topup' as const,
              },
              {
                at: 0,
                txnId: 't',
                redemptionId: '-',
                account: account.points(memberId),
                asset: 'points' as const,
                delta: points,
                reason: 'topup' as const,
              },
            ]
          : []),
      ]),
    )();
  };
  /** Double entry and the hash chain hold: what `linli ledger verify` checks. */
  const verify = () => verifyLedger(store.db);
  return {
    tmp,
    store,
    writer,
    verify,
    clock,
    ledger,
    catalog,
    usage,
    redemptions,
    svc,
    topUp,
    close: () => (writer.stop(), store.close(), tmp.cleanup()),
  };
}
