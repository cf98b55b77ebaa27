/** Assets the ledger moves. */
export type Asset = 'fen' | 'points' | 'uses';
export type LedgerReason =
  | 'hold'
  | 'capture'
  | 'void'
  | 'reversal'
  | 'topup'
  | 'accrual'
  | 'exchange'
  | 'adjustment'
  | 'expiry'
  /** A balance refunded to its resident on request (gateway/prepaid). */
  | 'refund';

export interface LedgerMovement {
  at: number;
  txnId: string;
  redemptionId: string;
  account: string;
  asset: Asset;
  delta: number;
  reason: LedgerReason;
}

/** The ledger as the redemption engine uses it; every call runs inside the caller's transaction. */
export interface LedgerPort {
  append(entries: LedgerMovement[]): unknown;
  balance(account: string, asset: Asset): number;
}

/** Runs a unit of work in the single writer and resolves after its batch is durably committed. */
export interface WriterPort {
  submit<T>(work: () => T): Promise<T>;
  /**
   * Runs a small unit now, in its own transaction, after what is queued (a card moved to its current
   * lookup key while it is being read): for the rare write a synchronous read path cannot wait for.
   */
  runNow?<T>(work: () => T): T;
}

/**
 * Ledger accounts (double entry: every movement has a matching opposite one):
 * wallet:<member> stored value · points:<member> · held:<redemption> money on hold for a vend ·
 * merchant:<merchant> owed to the merchant · issuer:stored-value / issuer:points the sources of top-ups
 * and points · points-spent:<merchant> points exchanged · uses:<instance> uses left of a card or coupon ·
 * issuer:uses the source of uses.
 */
export const account = {
  wallet: (memberId: string) => `wallet:${memberId}`,
  points: (memberId: string) => `points:${memberId}`,
  held: (redemptionId: string) => `held:${redemptionId}`,
  merchant: (merchantId: string) => `merchant:${merchantId}`,
  pointsSpent: (merchantId: string) => `points-spent:${merchantId}`,
  uses: (instanceId: string) => `uses:${instanceId}`,
  issuerFen: 'issuer:stored-value',
  issuerPoints: 'issuer:points',
  issuerUses: 'issuer:uses',
  /** Stored value refunded on request, until the cloud pays the resident back (gateway/prepaid). */
  refundFen: 'refund:stored-value',
} as const;
