import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/core/clock.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { startGateway, waitFor } from '../support/gateway-harness.ts';

describe('periodic work on the injected clock', () => {
  it('a ManualClock runs what is due when time moves, once per move, at the new time; cancel stops it', () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    const cancel = clock.every(1000, () => seen.push(clock.monotonic()));
    clock.advance(999);
    expect(seen).toEqual([]);
    clock.advance(1);
    expect(seen).toEqual([1000]);
    clock.advance(60_000); // a long move: once, late, like a real interval after a busy event loop
    expect(seen).toEqual([1000, 61_000]);
    clock.advance(1000);
    expect(seen).toEqual([1000, 61_000, 62_000]);
    cancel();
    clock.advance(5000);
    expect(seen).toHaveLength(3);
    clock.advanceWall(10_000); // the wall clock alone moves no timer
    expect(seen).toHaveLength(3);
  });

  it(
    'the gateway ticker follows the injected clock: ' +
      'a hold expires when the test moves time, not a real second later',
    async () => {
      const clock = new ManualClock(Date.UTC(2026, 10, 18, 6, 0));
      const h = await startGateway({}, { clock });
      try {
        loadInto(h.gw.store, h.dataDir, FixtureSchema.parse({ members: [{ id: 'm-1', walletFen: 1000 }] }));
        const svc = h.gw.redemption.service;
        const held = await svc.authorize({
          txnId: 'v-1',
          memberId: 'm-1',
          trust: 'high',
          purchase: {
            merchantId: 'vm-01',
            deviceId: 'vm-01',
            items: [{ productId: 'milk', unitPriceFen: 450, qty: 1 }],
            at: clock.now(),
          },
        });
        expect(held.state).toBe('held');
        await h.gw.tick();
        expect(h.gw.redemption.ledger.balance(account.wallet('m-1'), 'fen')).toBe(550);
        clock.advance(h.gw.config.redemption.holdTimeoutS * 1000); // the ticker runs inside advance()
        await waitFor(
          () => h.gw.redemption.redemptions.byTxn('vm-01', 'v-1')?.state === 'voided',
          'the hold expired and was refunded',
          2000,
        );
        expect(h.gw.redemption.ledger.balance(account.wallet('m-1'), 'fen')).toBe(1000);
      } finally {
        await h.stop();
      }
    },
  );
});
