import { describe, expect, it } from 'vitest';
import { chooseFunding, proxyRemaining, type ProxyAllowance } from '../../gateway/redemption/domain/funding.ts';
import { transition, type RedemptionCommand, type RedemptionState } from '../../gateway/redemption/domain/lifecycle.ts';

const grandson: ProxyAllowance = {
  payerId: 'm-child',
  perTxnFen: 5000,
  perDayFen: 10000,
  perMonthFen: 50000,
  spentTodayFen: 0,
  spentMonthFen: 0,
  payerBalanceFen: 100000,
};

describe('family proxy payment (亲情代付)', () => {
  it('own wallet first', () => {
    expect(chooseFunding('m-1', 500, 800, [grandson])).toEqual({
      ok: true,
      source: 'own',
      walletOwnerId: 'm-1',
      amountFen: 500,
    });
  });
  it('a family payer within every limit', () => {
    expect(chooseFunding('m-1', 3000, 100, [grandson])).toMatchObject({
      ok: true,
      source: 'proxy',
      walletOwnerId: 'm-child',
    });
  });
  const limits: [string, Partial<ProxyAllowance>, number][] = [
    ['per transaction', {}, 5001],
    ['per day', { spentTodayFen: 8000 }, 2001],
    ['per month', { spentMonthFen: 49000 }, 1001],
    ['payer balance', { payerBalanceFen: 300 }, 301],
  ];
  for (const [name, change, amount] of limits) {
    it(`refused over the ${name} limit, with what is left`, () => {
      const a = { ...grandson, ...change };
      const r = chooseFunding('m-1', amount, 0, [a]);
      expect(r).toEqual({ ok: false, code: 'INSUFFICIENT_FUNDS', ownBalanceFen: 0, proxyRemainingFen: amount - 1 });
      expect(chooseFunding('m-1', amount - 1, 0, [a]).ok).toBe(true);
    });
  }
  it('never splits; picks the payer with most room, then by id', () => {
    const other = { ...grandson, payerId: 'm-aunt', perTxnFen: 8000 };
    expect(chooseFunding('m-1', 4000, 3999, [grandson, other])).toMatchObject({ walletOwnerId: 'm-aunt' });
    expect(proxyRemaining({ ...grandson, spentTodayFen: 20000 })).toBe(0);
  });
});

describe('redemption lifecycle', () => {
  const t = { createdAt: 1000, holdExpiresAt: 61_000, capturedAt: 2000 };
  const W = 24 * 3600_000;
  const table: [RedemptionState, RedemptionCommand, number, string][] = [
    ['held', 'capture', 5000, 'captured'],
    ['held', 'capture', 61_000, 'HOLD_EXPIRED'],
    ['captured', 'capture', 5000, 'captured (same)'],
    ['voided', 'capture', 5000, 'ALREADY_VOIDED'],
    ['held', 'void', 5000, 'voided'],
    ['held', 'expire', 61_000, 'voided'],
    ['voided', 'void', 5000, 'voided (same)'],
    ['captured', 'void', 5000, 'ALREADY_CAPTURED'],
    ['captured', 'reverse', 2000 + W, 'reversed'],
    ['captured', 'reverse', 2001 + W, 'REVERSAL_WINDOW_CLOSED'],
    ['reversed', 'reverse', 5000, 'reversed (same)'],
    ['held', 'reverse', 5000, 'NOT_CAPTURED'],
    ['reversed', 'capture', 5000, 'ALREADY_REVERSED'],
  ];
  for (const [state, cmd, now, expected] of table) {
    it(`${state} + ${cmd} at ${now} → ${expected}`, () => {
      const r = transition(state, cmd, t, now, W);
      const got = 'refused' in r ? r.refused : `${r.next}${r.same ? ' (same)' : ''}`;
      expect(got).toBe(expected);
    });
  }
});
