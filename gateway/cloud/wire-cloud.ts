import type { Config } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { ClockHealth } from '../core/clock-health.ts';
import type { Logger } from '../core/log.ts';
import type { RuntimeSettings } from '../core/runtime-settings.ts';
import type { KindParts } from '../kinds/kind-parts.ts';
import type { RedemptionEngine } from '../redemption/wire.ts';
import type { BatchWriter } from '../store/batch-writer.ts';
import type { Db } from '../store/db-type.ts';
import type { RolloutService } from './rollouts.ts';
import { trustedKeysFrom } from '../redemption/credentials/qr-credential.ts';
import { CloudLink } from './cloud-link.ts';
import { DocSync } from './doc-sync.ts';
import { LedgerAnchors } from './ledger-anchors.ts';
import { CardCaps } from '../prepaid/card-caps.ts';
import { TopUpGuard } from '../prepaid/topup-guard.ts';
import type { OutboxRepo } from './outbox-repo.ts';
import { RestoreRecovery } from './restore-recovery.ts';

/**
 * Cloud sync on a started gateway: the documents from the cloud (applied to the redemption engine and
 * the device flows), the link to the cloud's broker, online authorisation for the redemption service,
 * and the settings the cloud changed before a restart.
 */
/** The ports cloud sync uses: the engine and flows it feeds, the writer, the clock health it hints. */
interface CloudPorts {
  config: Config;
  clock: Clock;
  log: Logger;
  writer: BatchWriter;
  db: Db;
  bootId: string;
  outbox: OutboxRepo;
  redemption: RedemptionEngine;
  kindDocs: KindParts['cloudDocs'];
  rollouts: RolloutService;
  settings: RuntimeSettings;
  clockHealth: Pick<ClockHealth, 'hint'>;
}

export function startCloudSync(gw: CloudPorts): {
  docs: DocSync;
  cloud: CloudLink;
  /** A restored database's lost tail [CLP-5.12]: pending until the cloud's is all applied. */
  recovery: RestoreRecovery;
  /** Anchors the ledger's tip now (tests; the timer does it every `cloud.ledgerAnchorMinutes`). */
  anchorLedger(): Promise<void>;
  stop(): Promise<void>;
} {
  const { config, clock, log, writer, outbox } = gw;
  const e = gw.redemption;
  const applySettings = (c: ReturnType<DocSync['settings']>) => {
    gw.settings.apply(c);
    if (c.lowTrust) e.service.setLowTrustLimits(c.lowTrust);
  };
  let cloud: CloudLink | undefined;
  const recovery = new RestoreRecovery({
    db: gw.db,
    outbox,
    ledger: e.ledger,
    usage: e.usage,
    catalog: e.catalog,
    redemptions: e.redemptions,
    clock,
    log: log.child({ component: 'restore' }),
    timezone: config.gateway.timezone,
  });
  // [CLP-3.12] a restored database says so before anything else this start writes (the writer keeps order)
  writer.submit(() => recovery.announce()).catch((err: unknown) => log.error({ err }, 'restore not announced'));
  const docs = new DocSync({
    db: gw.db,
    gatewayId: config.gateway.id,
    catalog: e.catalog,
    usage: e.usage,
    ledger: e.ledger,
    openingBalances: e.openingBalances,
    secrets: e.secrets,
    writer,
    outbox,
    clock,
    log: log.child({ component: 'cloud-docs' }),
    signingKeys: trustedKeysFrom(config.cloud.signingKeys),
    ack: (a) => cloud?.docAck(a),
    onTimeHint: (ms) => gw.clockHealth.hint(ms),
    rollouts: gw.rollouts,
    onConfig: (c) => {
      applySettings(c);
      log.info({ settings: c }, 'settings changed by the cloud');
    },
    kindDocs: gw.kindDocs,
    topUps: new TopUpGuard(gw.db, new CardCaps(gw.db, config.prepaid.caps), e.ledger, outbox),
    restore: (b) => recovery.apply(b),
  });
  // settings the cloud changed before a restart hold again
  applySettings(docs.settings());
  cloud = new CloudLink({
    config: config.cloud,
    gatewayId: config.gateway.id,
    bootId: gw.bootId,
    outbox,
    writer,
    clock,
    log: log.child({ component: 'cloud' }),
    docs,
    restorePending: () => recovery.pending(),
    onTimeHint: (ms) => gw.clockHealth.hint(ms),
    // the critical alert: the cloud hears of it too (it is never dropped), and the box's LED shows a fault
    onBudget: (over, bytes) => {
      void writer
        .submit(() =>
          outbox.append('health', 'gateway.alert', {
            code: 'OUTBOX_OVER_BUDGET',
            active: over,
            bytes,
            at: clock.now(),
          }),
        )
        .catch(() => undefined);
    },
  });
  const link = cloud;
  e.service.setOnlineTopUp((memberId, amountFen) => link.requestTopUp(memberId, amountFen));
  link.start();
  const anchors = new LedgerAnchors({
    db: gw.db,
    outbox,
    clock,
    epoch: () => outbox.epoch,
    log: log.child({ component: 'ledger-anchor' }),
  });
  const anchorLedger = async () => {
    await writer.submit(() => anchors.anchor());
  };
  const anchorFailed = (err: unknown) => log.warn({ err }, 'could not anchor the ledger; the next period tries again');
  // at once (a box restored, or rewritten while it was off, says so first), then every period
  anchorLedger().catch(anchorFailed);
  const stopAnchoring = clock.every(config.cloud.ledgerAnchorMinutes * 60_000, () => {
    anchorLedger().catch(anchorFailed);
  });
  const stop = async () => {
    stopAnchoring();
    await link.stop();
  };
  return { docs, cloud: link, recovery, anchorLedger, stop };
}
