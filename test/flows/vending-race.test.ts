import { describe, expect, it } from 'vitest';
import type { RequestMessage } from '../../firmware-protocol/src/messages/redemption.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { VendingFlow, type VendingFlowDeps } from '../../devices/vending-machine/vending-flow.ts';
import type { RedemptionResult } from '../../gateway/redemption/service/result.ts';

/** The vending flow against a redemption service whose authorize the test releases by hand. */
function setup() {
  const clock = new ManualClock();
  const calls: string[] = [];
  let release: (() => void) | undefined;
  const result = (state: RedemptionResult['state']): RedemptionResult => ({
    redemptionId: 'r-1',
    txnId: 'v-1',
    status: 'approved',
    state,
    subtotalFen: 450,
    savingFen: 0,
    payableFen: 450,
    paidBy: 'own',
    pointsCost: 0,
    pointsEarned: 4,
    applied: [],
    notApplied: [],
  });
  const service = {
    authorize: () =>
      new Promise<RedemptionResult>((resolve) => (release = () => (calls.push('authorize'), resolve(result('held'))))),
    void: async () => (calls.push('void'), result('voided')),
    capture: async () => (calls.push('capture'), result('captured')),
  };
  const deps = {
    service,
    resolver: { identify: () => ({ memberId: 'm-1', trust: 'high', lookupKey: 'k' }) },
    ledger: { balance: () => 1000, append: () => undefined },
    catalog: { member: () => ({ id: 'm-1', tier: 'regular' }), campaigns: () => new Map(), instancesOf: () => [] },
    redemptions: { byTxn: () => undefined },
    clock,
    log: silentLogger(),
    lowTrustPerTxnFen: 5000,
  } as unknown as VendingFlowDeps;
  const flow = new VendingFlow(deps);
  const device = { id: 'vm-01', kind: 'vending_machine' as const, merchantId: 'vm-01' };
  const msg = (txn: string, body: unknown) =>
    ({ v: '1.1', id: `m-${txn}-${Math.random()}`, ts: 0, seq: 1, txn, type: 'request', body }) as RequestMessage;
  const begin = () =>
    flow.answer(device, msg('s-1', { op: 'vend_begin', credential: { type: 'uid', uid: '04A2B3C4' } }));
  const request = () =>
    flow.answer(
      device,
      msg('v-1', { op: 'vend_request', session: 's-1', item: { slot: 'A1', productId: 'milk', priceFen: 450 } }),
    );
  const until = async (p: () => boolean) => {
    for (let i = 0; i < 100 && !p(); i++) await new Promise((r) => setTimeout(r, 1));
  };
  return {
    flow,
    clock,
    calls,
    begin,
    request,
    end: () => flow.answer(device, msg('s-1', { op: 'vend_end', reason: 'cancel' })),
    release: async () => (await until(() => release !== undefined), release?.()),
  };
}

describe('vending session races with the hold being written', () => {
  it('a cancel while the authorize runs: the hold is voided and the vend declined, never approved', async () => {
    const t = setup();
    await t.begin();
    const asked = t.request();
    await t.end();
    await t.release();
    expect(await asked).toMatchObject({ decision: 'declined', declineCode: 'VOIDED', state: 'voided' });
    expect(t.calls.filter((c) => c === 'void').length).toBeGreaterThanOrEqual(1);
    expect(t.flow.session('vm-01').name).toBe('idle');
  });

  it('the approval deadline waits for an authorize in flight; a slow approval still vends', async () => {
    const t = setup();
    await t.begin();
    const asked = t.request();
    t.clock.advance(10_000); // past approvalMs
    await t.flow.tick();
    expect(t.flow.session('vm-01').name).toBe('requested');
    await t.release();
    expect(await asked).toMatchObject({ decision: 'approved', state: 'held' });
    expect(t.flow.session('vm-01').name).toBe('approved');
    expect(t.calls).toEqual(['authorize']);
  });

  it('a timeout that resumes after a new tap leaves the new session alone', async () => {
    const t = setup();
    await t.begin();
    t.clock.advance(31_000);
    const ticking = t.flow.tick();
    const again = t.flow.answer({ id: 'vm-01', kind: 'vending_machine', merchantId: 'vm-01' }, {
      v: '1.1',
      id: 'x',
      ts: 0,
      seq: 2,
      txn: 's-2',
      type: 'request',
      body: { op: 'vend_begin', credential: { type: 'uid', uid: '04A2B3C4' } },
    } as RequestMessage);
    await ticking;
    await again;
    expect(t.flow.session('vm-01')).toMatchObject({ name: 'session', memberTxn: 's-2' });
  });
});
