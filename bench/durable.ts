import { ManualClock } from '../gateway/core/clock.ts';
import { silentLogger } from '../gateway/core/log.ts';
import { FixtureSchema } from '../gateway/redemption/fixture.ts';
import { demoFixture } from '../gateway/redemption/demo-fixture.ts';
import { loadInto } from '../gateway/cli/redemption-commands.ts';
import { SqliteLedger } from '../gateway/redemption/ledger/sqlite-ledger.ts';
import { verifyLedger } from '../gateway/redemption/ledger/ledger-verify.ts';
import { RedemptionService } from '../gateway/redemption/service/redemption-service.ts';
import type { WriterPort } from '../gateway/redemption/service/ports.ts';
import { CatalogRepo } from '../gateway/redemption/store/catalog-repo.ts';
import { RedemptionRepo } from '../gateway/redemption/store/redemption-repo.ts';
import { UsageRepo } from '../gateway/redemption/store/usage-repo.ts';
import { BatchWriter } from '../gateway/store/batch-writer.ts';
import type { Db } from '../gateway/store/db-type.ts';
import { Store } from '../gateway/store/store.ts';
import { tempDir } from '../test/support/tmp.ts';

/** One transaction, one fsync per redemption: the baseline group commit is measured against. */
class TxnPerUnitWriter implements WriterPort {
  constructor(private readonly db: Db) {}
  submit<T>(work: () => T): Promise<T> {
    return Promise.resolve(this.db.transaction(work)());
  }
}

/**
 * Durable redemptions per second (WAL + synchronous=FULL, a real file) against the demo community:
 * single-phase scanner redemptions from many members at once, with one transaction each and with
 * group commit. Also checks the ledger afterwards: speed never at the cost of correctness.
 */
export async function benchDurable(
  count = 2000,
  concurrency = 64,
): Promise<{ perTxn: number; group: number; ratio: number; meanBatch: number; ledgerOk: boolean }> {
  const run = async (group: boolean) => {
    const tmp = tempDir('linli-bench-');
    const store = new Store(tmp.dir);
    const fixture = FixtureSchema.parse(demoFixture({ members: 300 }));
    loadInto(store, tmp.dir, fixture);
    const writer = group ? new BatchWriter(store.db, { maxWaitMs: 2, maxBatch: 256 }) : new TxnPerUnitWriter(store.db);
    const clock = new ManualClock(Date.UTC(2026, 10, 18, 2, 0));
    const svc = new RedemptionService({
      writer,
      ledger: new SqliteLedger(store.db),
      catalog: new CatalogRepo(store.db),
      usage: new UsageRepo(store.db),
      redemptions: new RedemptionRepo(store.db),
      clock,
      log: silentLogger(),
      config: {
        timezone: 'Asia/Shanghai',
        maxBenefitsPerPurchase: 3,
        holdTimeoutMs: 60_000,
        reversalWindowMs: 86_400_000,
        accrual: { pointsPerYuan: 1, tierMultipliers: {} },
        lowTrust: { perTxnFen: 1e9, perDayFen: 1e9 },
      },
    });
    const members = fixture.members.map((m) => m.id);
    let next = 0;
    const start = performance.now();
    const worker = async () => {
      while (next < count) {
        const i = next++;
        await svc.redeem({
          txnId: `b-${i}`,
          memberId: members[i % members.length] ?? 'm-0001',
          trust: 'high',
          purchase: { merchantId: 'cafe-01', items: [], amountFen: 500 + (i % 50) * 100, at: clock.now() },
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const secs = (performance.now() - start) / 1000;
    const meanBatch = writer instanceof BatchWriter ? writer.stats.units / Math.max(1, writer.stats.batches) : 1;
    const ledgerOk = verifyLedger(store.db).ok;
    if (writer instanceof BatchWriter) writer.stop();
    store.close();
    tmp.cleanup();
    return { rate: count / secs, meanBatch, ledgerOk };
  };
  const a = await run(false);
  const b = await run(true);
  return {
    perTxn: Math.round(a.rate),
    group: Math.round(b.rate),
    ratio: b.rate / a.rate,
    meanBatch: b.meanBatch,
    ledgerOk: a.ledgerOk && b.ledgerOk,
  };
}
