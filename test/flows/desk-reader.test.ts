import { afterEach, describe, expect, it } from 'vitest';
import type { BoxHardware } from '../../devices/box/box-hardware.ts';
import { FakeCardReader } from '../../devices/box/card-reader.ts';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { doorsOf } from '../support/kind-parts.ts';

const FIXTURE = FixtureSchema.parse({
  members: [
    { id: 'm-1', tier: 'regular', walletFen: 0, cards: [{ type: 'uid', uid: '04A2B3C4' }] },
    { id: 'm-2', tier: 'regular', walletFen: 0 },
    { id: 's-1', tier: 'staff', walletFen: 0, cards: [{ type: 'uid', uid: '04CCCCCC' }] },
  ],
});

/** The box's own hardware with a fake reader; records relay pulses and LED patterns. */
function fakeHardware() {
  const reader = new FakeCardReader();
  const pulses: number[] = [];
  const led: string[] = [];
  const tamper: ((open: boolean) => void)[] = [];
  const hw: BoxHardware = {
    reader,
    relay: { pulse: async (ms) => void pulses.push(ms) },
    led: { show: (p) => void led.push(p) },
    tamper: { onChange: (fn) => void tamper.push(fn), isOpen: () => false },
    openDoor: async () => void pulses.push(3000),
    start: async () => reader.start(),
    stop: () => reader.stop(),
    health: () => [
      { component: 'nfc', ...reader.health() },
      { component: 'gpio', state: 'disabled', warning: 'GPIO disabled in config (box.gpio.enabled)' },
    ],
  };
  return { hw, reader, pulses, led, openTamper: (open: boolean) => tamper.forEach((f) => f(open)) };
}

describe('the box desk reader', () => {
  let h: Harness;
  let f: ReturnType<typeof fakeHardware>;
  const start = async (deskReader: 'bind' | 'door') => {
    f = fakeHardware();
    h = await startGateway({ box: { deskReader } } as never, { hardware: f.hw });
    h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FIXTURE))();
  };
  afterEach(async () => {
    await h.stop();
  });

  it('binds the card just tapped to a member, once; a bound card cannot move to another member', async () => {
    await start('bind');
    expect((await h.api('/api/v1/members/m-2/cards', { method: 'POST', body: { fromDesk: true } })).status).toBe(404);
    f.reader.tap('04:d1:e2:f3');
    const r = await h.api('/api/v1/members/m-2/cards', { method: 'POST', body: { fromDesk: true } });
    expect(r).toMatchObject({ status: 201, body: { memberId: 'm-2', type: 'uid', uidMasked: '04…F3' } });
    expect(
      (
        await h.api('/api/v1/members/lookup', {
          method: 'POST',
          body: { credential: { type: 'uid', uid: '04D1E2F3' } },
        })
      ).body,
    ).toMatchObject({ memberId: 'm-2' });
    expect((await h.api('/api/v1/members/m-2/cards', { method: 'POST', body: { fromDesk: true } })).status).toBe(404);
    expect(
      (
        await h.api('/api/v1/members/m-2/cards', {
          method: 'POST',
          body: { credential: { type: 'uid', uid: '04A2B3C4' } },
        })
      ).status,
    ).toBe(400);
    expect(f.pulses).toEqual([]);
  });

  it(
    'as a door reader: the same rules and log; ' + 'granted taps pulse the relay; health and tamper in /healthz',
    async () => {
      await start('door');
      await h.api('/api/v1/access/rules/staff', { method: 'PUT', body: { tier: 'staff', zone: '*' } });
      f.reader.tap('04CCCCCC');
      await waitFor(() => f.pulses.length === 1, 'relay pulse');
      f.reader.tap('04A2B3C4'); // a resident: no rule for the office
      await waitFor(() => doorsOf(h.gw).accessRepo.recent('box', 5).length === 2, 'logged');
      expect(
        doorsOf(h.gw)
          .accessRepo.recent('box', 5)
          .map((e) => `${e.door}:${e.decision}:${e.reason}`),
      ).toEqual(['office:denied:NO_ACCESS', 'office:granted:RULE:staff']);
      expect(f.pulses).toHaveLength(1);
      const health = await h.api('/healthz');
      expect((health.body as { hardware: unknown[] }).hardware).toEqual([
        { component: 'nfc', state: 'ok' },
        { component: 'gpio', state: 'disabled', warning: 'GPIO disabled in config (box.gpio.enabled)' },
        { component: 'tamper', state: 'ok' },
      ]);
      f.openTamper(true);
      expect(
        ((await h.api('/healthz')).body as { hardware: { component: string; state: string }[] }).hardware.at(-1),
      ).toMatchObject({ component: 'tamper', state: 'open' });
      await waitFor(() => f.led.at(-1) === 'fault', 'LED shows the fault', 3000);
    },
  );
});
