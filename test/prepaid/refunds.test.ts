import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LinliError } from '../../firmware-protocol/src/errors.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { type PrepaidHarness, prepaidHarness } from './prepaid-harness.ts';

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: LinliError) => e.code,
  );

/** A balance refund on request: the money moves exactly once, and the cloud is told once [CLP-4.15]. */
describe('stored-value refunds', () => {
  let h: PrepaidHarness;
  beforeEach(async () => {
    h = prepaidHarness();
    await h.push('catalog', { members: [{ id: 'm-1', cardType: 'registered' }, { id: 'm-2' }] });
    await h.push('allowances', { grants: [{ grantId: 'g-1', memberId: 'm-1', amountFen: 12_345 }] });
  });
  afterEach(() => h.close());

  const refund = (idempotencyKey: string, amountFen?: number, memberId = 'm-1') =>
    h.prepaid.refunds.refund({ memberId, idempotencyKey, amountFen, requestedBy: 'test' });
  const refundRows = () => h.store.db.prepare('SELECT COUNT(*) AS n FROM prepaid_refunds').get() as { n: number };

  it('moves the whole balance to the refund account, once; a retry with the key answers the first result', async () => {
    const first = await refund('key-00001');
    expect(first).toMatchObject({ memberId: 'm-1', amountFen: 12_345, balanceAfterFen: 0, created: true });
    expect(h.wallet('m-1')).toBe(0);
    expect(h.ledger.balance(account.refundFen, 'fen')).toBe(12_345);
    // money arrives after the refund: a retry still answers the first refund, and moves nothing
    await h.push('allowances', { grants: [{ grantId: 'g-2', memberId: 'm-1', amountFen: 500 }] });
    const again = await refund('key-00001');
    expect(again).toEqual({ ...first, created: false });
    expect(h.wallet('m-1')).toBe(500);
    expect(h.events('prepaid.refunded')).toEqual([
      { refundId: first.refundId, memberId: 'm-1', amountFen: 12_345, balanceAfterFen: 0, at: first.at },
    ]);
    expect(verifyLedger(h.store.db).ok).toBe(true);
  });

  it('a stated amount leaves the rest; more than the balance, or nothing left, is refused with its code', async () => {
    expect(await refund('key-part1', 2_345)).toMatchObject({ amountFen: 2_345, balanceAfterFen: 10_000 });
    expect(await codeOf(refund('key-part2', 10_001))).toBe('PREPAID_REFUND_TOO_LARGE');
    expect(await refund('key-part3')).toMatchObject({ amountFen: 10_000, balanceAfterFen: 0 });
    expect(await codeOf(refund('key-part4'))).toBe('PREPAID_NOTHING_TO_REFUND');
    // a zero balance from the start, and an unknown member
    expect(await codeOf(refund('key-zero1', undefined, 'm-2'))).toBe('PREPAID_NOTHING_TO_REFUND');
    expect(await codeOf(refund('key-nobody', undefined, 'm-404'))).toBe('MEMBER_NOT_FOUND');
    // refusals keep no key: the same key works once there is money
    expect(refundRows().n).toBe(2);
    expect(h.ledger.balance(account.refundFen, 'fen')).toBe(12_345);
  });

  it('a key used for another member or amount is refused, not answered with the other refund', async () => {
    await refund('key-shared', 100);
    expect(await codeOf(refund('key-shared', 200))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await codeOf(refund('key-shared', 100, 'm-2'))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await refund('key-shared', 100)).toMatchObject({ amountFen: 100, created: false });
  });

  it('concurrent requests: two keys for the whole balance, one wins; one key twice, one refund', async () => {
    const [a, b] = await Promise.allSettled([refund('key-race-a'), refund('key-race-b')]);
    const won = [a, b].filter((r) => r.status === 'fulfilled');
    const lost = [a, b].filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason.code).toBe('PREPAID_NOTHING_TO_REFUND');
    await h.push('allowances', { grants: [{ grantId: 'g-3', memberId: 'm-1', amountFen: 700 }] });
    const same = await Promise.all([refund('key-race-c'), refund('key-race-c'), refund('key-race-c')]);
    expect(new Set(same.map((r) => r.refundId)).size).toBe(1);
    expect(same.filter((r) => r.created)).toHaveLength(1);
    expect(h.ledger.balance(account.refundFen, 'fen')).toBe(12_345 + 700);
    expect(h.events('prepaid.refunded')).toHaveLength(2);
    expect(verifyLedger(h.store.db).ok).toBe(true);
  });
});
