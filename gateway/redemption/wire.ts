import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import { readSecretFile, secureCardKeys } from '../security/secret-files.ts';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { Downlink } from '../messaging/downlink.ts';
import { GatewaySecrets } from '../security/gateway-secrets.ts';
import type { BatchWriter } from '../store/batch-writer.ts';
import type { Store } from '../store/store.ts';
import { CredentialResolver, type SecureCredentialVerifier } from './device/credential-resolver.ts';
import { DeviceRequestHandler } from './device/request-handler.ts';
import { AnswerStore } from './device/answer-store.ts';
import { CappedLedger } from '../prepaid/capped-ledger.ts';
import { CardCaps } from '../prepaid/card-caps.ts';
import { createSecureVerifier } from './credentials/secure-verifier.ts';
import type { RedemptionModule } from './module.ts';
import type { OutboxPort } from '../cloud/outbox-port.ts';
import { LedgerOpeningBalances } from './opening-balances.ts';
import { RedemptionService, type SettledRedemption } from './service/redemption-service.ts';
import { CatalogRepo } from './store/catalog-repo.ts';
import { RedemptionRepo } from './store/redemption-repo.ts';
import { UsageRepo } from './store/usage-repo.ts';

/** How long the answers and tap bindings resends rely on are kept. */
const RESEND_MEMORY_MS = 24 * 3600_000;

export interface RedemptionEngine extends RedemptionModule {
  /** Forgets what resends older than RESEND_MEMORY_MS would need; run now and then. */
  prune(now: number): Promise<{ answers: number; taps: number }>;
  usage: UsageRepo;
  writer: BatchWriter;
  handler: DeviceRequestHandler;
  openingBalances: LedgerOpeningBalances;
  secrets: GatewaySecrets;
}

/** Builds the redemption engine on the gateway's database: one writer, one ledger, the repositories. */
export function createRedemptionEngine(opts: {
  store: Store;
  config: Config;
  clock: Clock;
  log: Logger;
  downlink: Downlink;
  secure?: SecureCredentialVerifier | undefined;
  writer: BatchWriter;
  outbox?: OutboxPort | undefined;
  strictLowTrust?: () => boolean;
  onSettled?: (e: SettledRedemption) => void;
  onAnswered?: (seconds: number, body: ResponseBody) => void;
}): RedemptionEngine {
  const { store, config, clock, log } = opts;
  const r = config.redemption;
  const secrets = GatewaySecrets.loadOrCreate(config.dataDir);
  const fpFile = config.cloud.cardFingerprintKeyFile;
  if (fpFile) secrets.useFingerprintKey(keyFrom(readSecretFile(fpFile, 'cloud.cardFingerprintKeyFile'), fpFile));
  const writer = opts.writer;
  // every top-up through this ledger is held to its card type's cap (gateway/prepaid)
  const ledger = new CappedLedger(store.db, new CardCaps(store.db, config.prepaid.caps));
  const catalog = new CatalogRepo(store.db);
  const usage = new UsageRepo(store.db);
  const redemptions = new RedemptionRepo(store.db);
  const service = new RedemptionService({
    writer,
    outbox: opts.outbox,
    ledger,
    catalog,
    usage,
    redemptions,
    clock,
    log: log.child({ component: 'redemption' }),
    onSettled: opts.onSettled,
    config: {
      timezone: config.gateway.timezone,
      maxBenefitsPerPurchase: r.maxBenefitsPerPurchase,
      holdTimeoutMs: r.holdTimeoutS * 1000,
      reversalWindowMs: r.reversalWindowH * 3600_000,
      accrual: r.accrual,
      lowTrust: r.lowTrust,
      ...(opts.strictLowTrust ? { strictLowTrust: opts.strictLowTrust } : {}),
    },
  });
  const secure = opts.secure ?? createSecureVerifier({ ...r, secureCards: secureCardKeys(r.secureCards) });
  const resolver = new CredentialResolver(catalog, secrets, secure, () => clock.now(), writer);
  const answers = new AnswerStore(store.db);
  const handler = new DeviceRequestHandler({
    service,
    resolver,
    catalog,
    redemptions,
    ledger,
    answers,
    writer,
    downlink: opts.downlink,
    clock,
    log: log.child({ component: 'redemption' }),
    onAnswered: opts.onAnswered,
  });
  /** Keeps a day of what resends need (answers, tap bindings): they come within seconds; the store stays small. */
  const prune = (now: number) =>
    writer.submit(() => ({
      answers: answers.prune(now - RESEND_MEMORY_MS),
      taps: catalog.pruneCredentialUses(now - RESEND_MEMORY_MS),
    }));
  return {
    usage,
    service,
    catalog,
    redemptions,
    ledger,
    resolver,
    writer,
    handler,
    openingBalances: new LedgerOpeningBalances(ledger),
    secrets,
    prune,
  };
}

/** A key file's text: hex or base64url, whitespace ignored. */
function keyFrom(text: string, file: string): Buffer {
  const key =
    /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64url');
  if (key.length < 16) throw new Error(`${file}: the card fingerprint key must be at least 16 bytes`);
  return key;
}
