import type { Fen } from './money.ts';

/** A family member's permission to pay for this member (亲情代付), with the limits the payer set. */
export interface ProxyAllowance {
  payerId: string;
  perTxnFen: Fen;
  perDayFen: Fen;
  perMonthFen: Fen;
  /** What the payer's wallet already paid for this member today and this month (community-local). */
  spentTodayFen: Fen;
  spentMonthFen: Fen;
  payerBalanceFen: Fen;
}

export type Funding =
  | { ok: true; source: 'own'; walletOwnerId: string; amountFen: Fen }
  | { ok: true; source: 'proxy'; walletOwnerId: string; amountFen: Fen }
  | { ok: false; code: 'INSUFFICIENT_FUNDS'; ownBalanceFen: Fen; proxyRemainingFen: Fen };

/** How much a payer can still pay for this member now, under all three limits and the payer's balance. */
export function proxyRemaining(a: ProxyAllowance): Fen {
  return Math.max(
    0,
    Math.min(a.perTxnFen, a.perDayFen - a.spentTodayFen, a.perMonthFen - a.spentMonthFen, a.payerBalanceFen),
  );
}

/**
 * Who pays: the member's own stored value when it covers the amount; otherwise one family payer whose
 * limits and balance cover all of it (the one with the most room, then by id). A payment is never
 * split across wallets: one purchase, one wallet, one clear line on each statement.
 */
export function chooseFunding(
  memberId: string,
  amountFen: Fen,
  ownBalanceFen: Fen,
  proxies: readonly ProxyAllowance[],
): Funding {
  if (amountFen <= ownBalanceFen) return { ok: true, source: 'own', walletOwnerId: memberId, amountFen };
  const usable = proxies
    .map((p) => ({ p, room: proxyRemaining(p) }))
    .filter((x) => x.room >= amountFen)
    .sort((a, b) => b.room - a.room || a.p.payerId.localeCompare(b.p.payerId));
  const pick = usable[0];
  if (pick) return { ok: true, source: 'proxy', walletOwnerId: pick.p.payerId, amountFen };
  return {
    ok: false,
    code: 'INSUFFICIENT_FUNDS',
    ownBalanceFen,
    proxyRemainingFen: Math.max(0, ...proxies.map(proxyRemaining)),
  };
}
