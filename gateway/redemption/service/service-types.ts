import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { Accrual, Purchase } from '../domain/model.ts';
import type { CatalogRepo } from '../store/catalog-repo.ts';
import type { RedemptionRepo } from '../store/redemption-repo.ts';
import type { UsageRepo } from '../store/usage-repo.ts';
import type { LedgerPort, WriterPort } from './ports.ts';
import type { OutboxPort } from '../../cloud/outbox-port.ts';

export interface RedemptionConfig {
  timezone: string;
  maxBenefitsPerPurchase: number;
  holdTimeoutMs: number;
  reversalWindowMs: number;
  accrual: Accrual;
  /** Plain UID cards can be cloned: what one may pay per purchase and per day. */
  lowTrust: { perTxnFen: number; perDayFen: number };
  /** True while the gateway cannot vouch for its hotlist (too old): plain UID cards may not pay. */
  strictLowTrust?: () => boolean;
}

export interface RedeemRequest {
  txnId: string;
  memberId: string;
  trust: 'low' | 'high';
  purchase: Purchase;
  /** The resident presented this one coupon (its QR code): only it may apply, and the wallet is not charged. */
  couponInstanceId?: string | undefined;
  /** Internal: on a shortfall, throw ShortfallError instead of storing a decline (an online top-up is tried). */
  askForTopUp?: boolean;
  /**
   * Runs inside the decision's writer unit right after the idempotency check: the card's hotlist check
   * and its tap counter bound to this transaction (throws CARD_BLOCKED, CARD_REPLAYED). A retry of a
   * known txn is answered before it runs, and the counter moves only if the decision commits.
   */
  admit?: (() => void) | undefined;
  /** How long a hold lasts, when a device's flow needs longer than `holdTimeoutMs` (a charge of hours). */
  holdMs?: number | undefined;
}

/** Asks the cloud to add to a member's allowance on this gateway; true when it did (the grant is applied). */
export type OnlineTopUp = (memberId: string, shortfallFen: number) => Promise<boolean>;

export interface RedemptionDeps {
  writer: WriterPort;
  /** The cloud outbox: every decision and money movement is an event, written in the same transaction. */
  outbox?: OutboxPort | undefined;
  ledger: LedgerPort;
  catalog: CatalogRepo;
  usage: UsageRepo;
  redemptions: RedemptionRepo;
  clock: Clock;
  log: Logger;
  config: RedemptionConfig;
  /** Told after the commit, for every redemption whose money moved for good (captured, voided, reversed). */
  onSettled?: ((e: SettledRedemption) => void) | undefined;
}

/** A redemption whose money moved for good, as the gateway's other parts hear of it. */
export interface SettledRedemption {
  redemptionId: string;
  deviceId: string | undefined;
  state: string;
  payableFen: number;
  savingFen: number;
}
