import { account, type LedgerPort } from '../redemption/service/ports.ts';
import type { UsageRepo } from '../redemption/store/usage-repo.ts';

/**
 * The cloud's escrowed wallet money on this gateway's ledger. DocSync credits grants and hands releases
 * back; a restored box's recovery re-applies what the original box did. Both go through here, so they
 * keep the same markers and movements and neither can apply a grant or a release the other applied.
 */
export const ESCROW_ACCOUNT = 'escrow:cloud';

export interface EscrowParts {
  usage: UsageRepo;
  ledger: LedgerPort;
}

export const grantMarker = (grantId: string): string => `grant|${grantId}`;
export const releaseMarker = (releaseId: string): string => `release|${releaseId}`;
/** What of a member's wallet came from the cloud and may go back to it. */
export const escrowKey = (memberId: string): string => `escrow|${memberId}`;

/** True when the marker was written before: the grant or release was applied (or refused) already. */
export function alreadyApplied(p: EscrowParts, marker: string): boolean {
  return p.usage.get(marker).count > 0;
}

/** [CLP-5.7] Escrow → wallet, marked by grant id. The caller checked `alreadyApplied` first. */
export function creditGrant(
  p: EscrowParts,
  g: { grantId: string; memberId: string; amountFen: number },
  now: number,
): void {
  p.usage.bump(grantMarker(g.grantId), 1, g.amountFen);
  p.usage.bump(escrowKey(g.memberId), 0, g.amountFen);
  const base = { at: now, txnId: g.grantId, redemptionId: `grant:${g.grantId}`, reason: 'topup' as const };
  p.ledger.append([
    { ...base, account: ESCROW_ACCOUNT, asset: 'fen', delta: -g.amountFen },
    { ...base, account: account.wallet(g.memberId), asset: 'fen', delta: g.amountFen },
  ]);
}

/** Wallet → escrow, `amountFen` of it, marked by release id. The caller checked `alreadyApplied` first. */
export function releaseToEscrow(
  p: EscrowParts,
  r: { releaseId: string; memberId: string },
  amountFen: number,
  now: number,
): void {
  p.usage.bump(releaseMarker(r.releaseId), 1, amountFen);
  p.usage.take(escrowKey(r.memberId), 0, amountFen);
  if (amountFen <= 0) return;
  const base = { at: now, txnId: r.releaseId, redemptionId: `release:${r.releaseId}`, reason: 'adjustment' as const };
  p.ledger.append([
    { ...base, account: account.wallet(r.memberId), asset: 'fen', delta: -amountFen },
    { ...base, account: ESCROW_ACCOUNT, asset: 'fen', delta: amountFen },
  ]);
}
