import { generateKeyPairSync } from 'node:crypto';
import { signDoc } from '../../gateway/cloud/cloud-docs.ts';
import type { DocName } from '../../gateway/cloud/contract/documents.ts';
import { DocSync } from '../../gateway/cloud/doc-sync.ts';
import { OutboxRepo } from '../../gateway/cloud/outbox-repo.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { CappedLedger } from '../../gateway/prepaid/capped-ledger.ts';
import { CardCaps } from '../../gateway/prepaid/card-caps.ts';
import { PrepaidConfigSchema } from '../../gateway/prepaid/prepaid-config.ts';
import { createPrepaid } from '../../gateway/prepaid/prepaid-module.ts';
import { TopUpGuard } from '../../gateway/prepaid/topup-guard.ts';
import { LedgerOpeningBalances } from '../../gateway/redemption/opening-balances.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { RedemptionService } from '../../gateway/redemption/service/redemption-service.ts';
import { RedemptionRepo } from '../../gateway/redemption/store/redemption-repo.ts';
import { TEST_CONFIG } from '../redemption/service-harness.ts';
import { CatalogRepo } from '../../gateway/redemption/store/catalog-repo.ts';
import { UsageRepo } from '../../gateway/redemption/store/usage-repo.ts';
import { GatewaySecrets } from '../../gateway/security/gateway-secrets.ts';
import { BatchWriter } from '../../gateway/store/batch-writer.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';

export const CAPS = PrepaidConfigSchema.parse({}).caps;
const GW = 'gw-prepaid';

/**
 * A gateway's prepaid parts on a temporary database, without the broker: the capped ledger, the cloud's
 * documents applied as the gateway applies them (signed, in order), an outbox that refuses any event
 * breaking the cloud contract, and the prepaid module on a ManualClock.
 */
export function prepaidHarness(start = Date.UTC(2026, 10, 18, 4, 0)) {
  const tmp = tempDir('linli-prepaid-');
  const store = new Store(tmp.dir);
  const clock = new ManualClock(start);
  const caps = new CardCaps(store.db, CAPS);
  const ledger = new CappedLedger(store.db, caps);
  const writer = new BatchWriter(store.db, { maxWaitMs: 1, maxBatch: 64 });
  const outbox = new OutboxRepo(store.db, GW, () => clock.now(), {
    onInvalid: (e) => {
      throw new Error(`event breaks the cloud contract: ${e.kind}: ${e.problem}`);
    },
  });
  const catalog = new CatalogRepo(store.db);
  const keys = generateKeyPairSync('ed25519');
  const docs = new DocSync({
    db: store.db,
    gatewayId: GW,
    catalog,
    usage: new UsageRepo(store.db),
    ledger,
    openingBalances: new LedgerOpeningBalances(ledger),
    secrets: GatewaySecrets.loadOrCreate(tmp.dir),
    writer,
    outbox,
    clock,
    log: silentLogger(),
    signingKeys: new Map([['c1', keys.publicKey]]),
    ack: () => undefined,
    topUps: new TopUpGuard(store.db, caps, ledger, outbox),
  });
  const versions = new Map<DocName, number>();
  /** The next version of a document, as a delta on the one before: what the cloud sends. */
  const push = (doc: DocName, body: Record<string, unknown>) => {
    const version = (versions.get(doc) ?? 0) + 1;
    versions.set(doc, version);
    const d = signDoc(
      GW,
      { v: 1, doc, kind: 'delta', version, base: version - 1, issuedAt: clock.now(), body },
      'c1',
      keys.privateKey,
    );
    return docs.handle(Buffer.from(JSON.stringify(d)));
  };
  const prepaid = createPrepaid({
    db: store.db,
    reader: store.reader,
    ledger,
    writer,
    outbox,
    clock,
    log: silentLogger(),
    timezone: 'Asia/Shanghai',
    config: PrepaidConfigSchema.parse({}),
  });
  const svc = new RedemptionService({
    writer,
    ledger,
    catalog,
    usage: new UsageRepo(store.db),
    redemptions: new RedemptionRepo(store.db),
    clock,
    log: silentLogger(),
    outbox,
    config: TEST_CONFIG,
  });
  let txn = 0;
  /** A purchase paid from the wallet at a shop, now. */
  const pay = (memberId: string, merchantId: string, amountFen: number) =>
    svc.redeem({
      txnId: `t-${++txn}`,
      memberId,
      trust: 'high',
      purchase: {
        merchantId,
        deviceId: 'scanner-1',
        deviceKind: 'shop_scanner',
        items: [],
        amountFen,
        at: clock.now(),
      },
    });
  const wallet = (memberId: string) => ledger.balance(account.wallet(memberId), 'fen');
  /** Every event of the money stream written so far, of one kind. */
  const events = (kind: string) =>
    outbox
      .after('money', 0, 10_000)
      .filter((e) => e.kind === kind)
      .map((e) => e.data as Record<string, unknown>);
  const close = async () => {
    await prepaid.stop();
    writer.stop();
    await writer.settled();
    store.close();
    tmp.cleanup();
  };
  return {
    tmp,
    store,
    clock,
    caps,
    ledger,
    writer,
    outbox,
    catalog,
    docs,
    push,
    prepaid,
    svc,
    pay,
    wallet,
    events,
    close,
  };
}
export type PrepaidHarness = ReturnType<typeof prepaidHarness>;
