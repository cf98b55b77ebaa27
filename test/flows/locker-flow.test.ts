import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { hashSecret } from '../../gateway/security/secret-hash.ts';
import { ask, sendEvent } from '../support/ask.ts';
import { connectRaw, startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { RawDevice } from '../support/raw-device.ts';
import { lockerOf } from '../support/kind-parts.ts';

const FIXTURE = FixtureSchema.parse({
  members: [
    { id: 'm-1', tier: 'regular', walletFen: 0, cards: [{ type: 'uid', uid: '04A2B3C4' }] },
    { id: 'm-2', tier: 'regular', walletFen: 0, cards: [{ type: 'uid', uid: '04B0B0B0' }] },
    { id: 'm-3', tier: 'regular', walletFen: 0 },
  ],
});
const CAPS = {
  compartments: [
    { id: 'A1', size: 'S' },
    { id: 'A2', size: 'S' },
    { id: 'B1', size: 'M' },
    { id: 'C1', size: 'L' },
  ],
};
const PASSWORD = 'integration-password-1';

describe('parcel locker over the broker [FWP-11.5]', () => {
  let h: Harness;
  let locker: RawDevice;
  let secret: string;
  let hash: string;
  let clock: ManualClock;
  const noticeCode = (memberId: string) => {
    const n = lockerOf(h.gw)
      .parcels.notices(memberId)
      .filter((x) => x.kind === 'parcel_arrived')
      .at(-1);
    return (n?.payload as { code: string } | undefined)?.code ?? '';
  };
  const status = (id: string) =>
    lockerOf(h.gw)
      .parcels.list({ lockerId: 'locker-01', limit: 50 })
      .find((p) => p.compartment === id)?.status;
  const health = () => h.gw.monitor.get('locker-01')?.verdict;
  const store = async (txn: string, memberId: string, size = 'S') => {
    const r = await ask(locker, txn, {
      op: 'deposit',
      size,
      tracking: `SF${txn}`,
      recipient: { type: 'member', memberId },
    });
    const c = r.status === 'ok' ? (r.open?.[0]?.compartment ?? '') : '';
    await sendEvent(locker, { event: 'compartment', compartment: c, state: 'open' }, txn);
    await sendEvent(locker, { event: 'compartment', compartment: c, state: 'closed' }, txn);
    await waitFor(() => status(c) === 'stored', `${c} stored`);
    return c;
  };

  beforeAll(async () => {
    hash = await hashSecret(PASSWORD);
  });
  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    h = await startGateway(
      {
        mqtt: {
          integrations: [{ username: 'integration-ops', passwordHash: hash, subscribe: ['linli/v1/dev/+/occupancy'] }],
        },
      } as never,
      { clock },
    );
    h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FIXTURE))();
    secret = (await h.gw.devices.provision({ id: 'locker-01', kind: 'parcel_locker' })).secret;
    locker = await new RawDevice('locker-01', 'parcel_locker', secret).connect(h.mqttUrl);
    await locker.birth(CAPS, 3600);
    await waitFor(() => h.gw.monitor.get('locker-01')?.born === true, 'birth');
  });
  afterEach(async () => {
    locker.client.end(true);
    await h.stop();
  });

  it(
    'deposit assigns a fitting compartment durably, a retry gets the same one; ' +
      'closing the door stores it and notifies the member',
    async () => {
      const d1 = await ask(locker, 'dep-1', {
        op: 'deposit',
        size: 'M',
        tracking: 'SF123',
        recipient: { type: 'member', memberId: 'm-1' },
      });
      expect(d1).toMatchObject({ decision: 'approved', open: [{ compartment: 'B1', size: 'M' }] });
      expect(
        await ask(locker, 'dep-1', {
          op: 'deposit',
          size: 'M',
          tracking: 'SF123',
          recipient: { type: 'member', memberId: 'm-1' },
        }),
      ).toEqual(d1);
      expect(
        lockerOf(h.gw)
          .locker.occupancy('locker-01')
          .compartments.find((c) => c.id === 'B1'),
      ).toMatchObject({
        assigned: true,
        pending: 'open',
        door: 'unknown',
      });
      await sendEvent(locker, { event: 'compartment', compartment: 'B1', state: 'open' }, 'dep-1');
      await sendEvent(locker, { event: 'compartment', compartment: 'B1', state: 'closed' }, 'dep-1');
      await waitFor(() => status('B1') === 'stored', 'stored');
      const code = noticeCode('m-1');
      expect(code).toMatch(/^\d{8}$/);
      // only a keyed hash of the code is in the database
      const row = h.gw.store.db.prepare('SELECT code_hash FROM parcels').get() as { code_hash: string };
      expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(h.gw.store.db.prepare('SELECT * FROM parcels').all())).not.toContain(code);
      // the next M parcel goes to L (B1 is taken), then the bank is full for M
      expect(
        await ask(locker, 'dep-2', {
          op: 'deposit',
          size: 'M',
          tracking: 'SF124',
          recipient: { type: 'member', memberId: 'm-2' },
        }),
      ).toMatchObject({ open: [{ compartment: 'C1' }] });
      expect(
        await ask(locker, 'dep-3', {
          op: 'deposit',
          size: 'M',
          tracking: 'SF125',
          recipient: { type: 'member', memberId: 'm-2' },
        }),
      ).toMatchObject({ decision: 'declined', declineCode: 'LOCKER_FULL' });
      expect(
        await ask(locker, 'dep-4', {
          op: 'deposit',
          size: 'S',
          tracking: 'SF126',
          recipient: { type: 'member', memberId: 'nobody' },
        }),
      ).toMatchObject({ status: 'error', code: 'MEMBER_NOT_FOUND' });
    },
  );

  it(
    'a card opens every compartment of that member; ' +
      'the door confirmation marks them picked up; the code is single use',
    async () => {
      const a = await store('d1', 'm-1');
      const b = await store('d2', 'm-1');
      await store('d3', 'm-2');
      const code = noticeCode('m-1');
      const r = await ask(locker, 'pu-1', { op: 'pickup', credential: { type: 'uid', uid: '04A2B3C4' } });
      expect(r).toMatchObject({ decision: 'approved', open: [{ compartment: a }, { compartment: b }] });
      expect(await ask(locker, 'pu-1', { op: 'pickup', credential: { type: 'uid', uid: '04A2B3C4' } })).toEqual(r);
      expect(status(a)).toBe('opening');
      await sendEvent(locker, { event: 'compartment', compartment: a, state: 'open' }, 'pu-1');
      await sendEvent(locker, { event: 'compartment', compartment: b, state: 'open' }, 'pu-1');
      await waitFor(
        () =>
          lockerOf(h.gw)
            .parcels.list({ limit: 50 })
            .filter((p) => p.status === 'picked_up').length === 2,
        'picked up',
      );
      await sendEvent(locker, { event: 'compartment', compartment: a, state: 'closed' });
      await sendEvent(locker, { event: 'compartment', compartment: b, state: 'closed' });
      expect(await ask(locker, 'pu-2', { op: 'pickup_code', code })).toMatchObject({
        decision: 'declined',
        declineCode: 'CODE_INVALID',
      });
      expect(await ask(locker, 'pu-3', { op: 'pickup', credential: { type: 'uid', uid: '04A2B3C4' } })).toMatchObject({
        decision: 'declined',
        declineCode: 'NO_PARCELS',
      });
    },
  );

  it('wrong codes lock the keypad for a while; the right code works after the lock', async () => {
    const c = await store('d1', 'm-2');
    const code = noticeCode('m-2');
    const wrong = code === '00000000' ? '11111111' : '00000000';
    // the locker's own resends of one wrong entry (its answer was lost) are one wrong try, not five [FWP-4.3]
    const first = await ask(locker, 'w-0', { op: 'pickup_code', code: wrong });
    for (let i = 0; i < 4; i++) expect(await ask(locker, 'w-0', { op: 'pickup_code', code: wrong })).toEqual(first);
    for (let i = 1; i < 4; i++)
      expect(await ask(locker, `w-${i}`, { op: 'pickup_code', code: wrong })).toMatchObject({
        op: 'pickup_code',
        declineCode: 'CODE_INVALID',
      });
    const locked = await ask(locker, 'w-4', { op: 'pickup_code', code: wrong });
    expect(locked).toMatchObject({ declineCode: 'KEYPAD_LOCKED' });
    expect(locked.status === 'ok' && locked.lockedUntil).toBe(clock.now() + 300_000);
    expect(await ask(locker, 'w-5', { op: 'pickup_code', code })).toMatchObject({ declineCode: 'KEYPAD_LOCKED' });
    clock.advance(300_000);
    expect(await ask(locker, 'ok-1', { op: 'pickup_code', code })).toMatchObject({
      decision: 'approved',
      open: [{ compartment: c }],
    });
  });

  it('an expired code is refused; staff reissue a new one', async () => {
    const c = await store('d1', 'm-1');
    const code = noticeCode('m-1');
    clock.advanceWall(73 * 3600_000);
    expect(await ask(locker, 'x-1', { op: 'pickup_code', code })).toMatchObject({ declineCode: 'CODE_EXPIRED' });
    const parcel = lockerOf(h.gw)
      .parcels.list({ lockerId: 'locker-01', limit: 5 })
      .find((p) => p.compartment === c);
    const re = await h.api(`/api/v1/parcels/${parcel?.id}/reissue-code`, { method: 'POST' });
    expect(re.status).toBe(200);
    expect(await ask(locker, 'x-2', { op: 'pickup_code', code })).toMatchObject({ declineCode: 'CODE_INVALID' });
    expect(await ask(locker, 'x-3', { op: 'pickup_code', code: (re.body as { code: string }).code })).toMatchObject({
      decision: 'approved',
    });
  });

  it(
    'a door that does not open is jammed: ' + 'a fault, the parcel stays assigned, other compartments still serve',
    async () => {
      const c = await store('d1', 'm-1');
      await ask(locker, 'pu-1', { op: 'pickup', credential: { type: 'uid', uid: '04A2B3C4' } });
      clock.advance(10_000);
      await h.gw.kinds.tick();
      expect(status(c)).toBe('stored');
      expect(health()?.status).toBe('fault');
      expect(health()?.reasons.map((r) => r.code)).toContain('COMPARTMENT_JAMMED');
      expect(await ask(locker, 'pu-2', { op: 'pickup', credential: { type: 'uid', uid: '04A2B3C4' } })).toMatchObject({
        declineCode: 'COMPARTMENT_UNAVAILABLE',
      });
      // a reported jam at deposit: the courier deposits again, into another compartment
      const d = await ask(locker, 'd2', {
        op: 'deposit',
        size: 'S',
        tracking: 'X',
        recipient: { type: 'member', memberId: 'm-2' },
      });
      const first = d.status === 'ok' ? d.open?.[0]?.compartment : undefined;
      await sendEvent(locker, { event: 'compartment', compartment: first, state: 'jammed' }, 'd2');
      await waitFor(
        () =>
          lockerOf(h.gw)
            .parcels.list({ limit: 9 })
            .some((p) => p.txnId === 'd2' && p.status === 'deposit_failed'),
        'deposit failed',
      );
      expect(
        await ask(locker, 'd3', {
          op: 'deposit',
          size: 'S',
          tracking: 'X',
          recipient: { type: 'member', memberId: 'm-2' },
        }),
      ).toMatchObject({ decision: 'approved', open: [{ compartment: 'B1' }] });
      // staff free the jammed door
      expect((await h.api(`/api/v1/lockers/locker-01/compartments/${c}/clear-jam`, { method: 'POST' })).status).toBe(
        200,
      );
      expect(await ask(locker, 'pu-3', { op: 'pickup', credential: { type: 'uid', uid: '04A2B3C4' } })).toMatchObject({
        decision: 'approved',
        open: [{ compartment: c }],
      });
    },
  );

  it('a door left open is an alert until closed; overdue parcels raise an alert; occupancy is retained', async () => {
    const ops = await connectRaw(h.mqttUrl, {
      clientId: 'integration-ops-1',
      username: 'integration-ops',
      password: PASSWORD,
    });
    const seen: unknown[] = [];
    ops.on('message', (_t, p) => seen.push(JSON.parse(p.toString())));
    try {
      const c = await store('d1', 'm-1');
      await ops.subscribeAsync(topics.lockerOccupancy('locker-01'), { qos: 1 });
      await waitFor(() => seen.length > 0, 'retained occupancy');
      expect(seen.at(-1)).toMatchObject({
        compartments: expect.arrayContaining([
          { id: c, size: 'S', assigned: true, door: 'closed', pending: null, jammed: false },
        ]),
      });
      await ask(locker, 'pu-1', { op: 'pickup', credential: { type: 'uid', uid: '04A2B3C4' } });
      await sendEvent(locker, { event: 'compartment', compartment: c, state: 'open' }, 'pu-1');
      await waitFor(() => status(c) === 'picked_up', 'picked up');
      clock.advance(h.gw.config.health.doorOpenAlertS * 1000);
      await h.gw.kinds.tick();
      expect(health()?.reasons.map((r) => r.code)).toContain('DOOR_LEFT_OPEN');
      await sendEvent(locker, { event: 'compartment', compartment: c, state: 'closed' });
      await waitFor(() => !health()?.reasons.some((r) => r.code === 'DOOR_LEFT_OPEN'), 'alert cleared');
      await store('d2', 'm-2');
      clock.advanceWall(49 * 3600_000);
      clock.advance(61_000); // the overdue check runs once a minute
      await h.gw.kinds.tick();
      expect(health()?.reasons.find((r) => r.code === 'PARCELS_OVERDUE')?.message).toContain('1 parcel');
      // the console highlights the same parcels the alert counts
      const listed = (await h.api('/api/v1/parcels?status=stored')).body.items as { overdue: boolean }[];
      expect(listed.filter((p) => p.overdue)).toHaveLength(1);
    } finally {
      ops.end(true);
    }
  });

  it('the locker reconnecting mid-pickup still confirms it; a restart leaves unconfirmed pickups stored', async () => {
    const c = await store('d1', 'm-1');
    await ask(locker, 'pu-1', { op: 'pickup', credential: { type: 'uid', uid: '04A2B3C4' } });
    locker.client.end(true);
    locker = await new RawDevice('locker-01', 'parcel_locker', secret, 2).connect(h.mqttUrl);
    await locker.birth(CAPS, 3600);
    await waitFor(() => h.gw.monitor.get('locker-01')?.bdSeq === 2, 'rebirth');
    await sendEvent(locker, { event: 'compartment', compartment: c, state: 'open' }, 'pu-1');
    await waitFor(() => status(c) === 'picked_up', 'picked up after reconnect');
    // a pickup whose door was never confirmed when the gateway stopped: after the restart it is stored again
    const c2 = await store('d2', 'm-1');
    await ask(locker, 'pu-2', { op: 'pickup', credential: { type: 'uid', uid: '04A2B3C4' } });
    expect(status(c2)).toBe('opening');
    lockerOf(h.gw).locker.recover();
    expect(status(c2)).toBe('stored');
  });

  it('a late confirmation after a jam does not free the compartment: no second parcel goes in', async () => {
    const d = await ask(locker, 'd1', {
      op: 'deposit',
      size: 'L',
      tracking: 'X1',
      recipient: { type: 'member', memberId: 'm-1' },
    });
    expect(d).toMatchObject({ open: [{ compartment: 'C1' }] });
    clock.advance(10_000);
    await h.gw.kinds.tick();
    expect(lockerOf(h.gw).parcels.byTxn('locker-01', 'd1')?.status).toBe('deposit_failed');
    await sendEvent(locker, { event: 'compartment', compartment: 'C1', state: 'open' }, 'd1');
    await sendEvent(locker, { event: 'compartment', compartment: 'C1', state: 'closed' }, 'd1');
    await new Promise((r) => setTimeout(r, 200));
    expect(
      await ask(locker, 'd2', {
        op: 'deposit',
        size: 'L',
        tracking: 'X2',
        recipient: { type: 'member', memberId: 'm-2' },
      }),
    ).toMatchObject({ decision: 'declined', declineCode: 'LOCKER_FULL' });
    expect(
      lockerOf(h.gw)
        .locker.occupancy('locker-01')
        .compartments.find((c) => c.id === 'C1'),
    ).toMatchObject({
      jammed: true,
    });
  });

  it('events for compartments the locker never announced are ignored', async () => {
    await sendEvent(locker, { event: 'compartment', compartment: 'Z9', state: 'open' });
    await new Promise((r) => setTimeout(r, 200));
    expect(
      lockerOf(h.gw)
        .locker.occupancy('locker-01')
        .compartments.map((c) => c.id),
    ).toEqual(['A1', 'A2', 'B1', 'C1']);
    expect((await h.api('/api/v1/lockers/nope/occupancy')).status).toBe(409);
  });

  it('group buy: forms at its target, goods are deposited per buyer, then it is delivered', async () => {
    expect(
      (
        await h.api('/api/v1/group-buys', {
          method: 'POST',
          body: { id: 'gb-eggs', title: '土鸡蛋 30枚', targetQty: 3 },
        })
      ).status,
    ).toBe(201);
    expect(
      await ask(locker, 'g-0', {
        op: 'deposit',
        size: 'S',
        tracking: 'G0',
        recipient: { type: 'group_buy', orderId: 'gb-eggs' },
      }),
    ).toMatchObject({ status: 'error', code: 'REDEMPTION_STATE' });
    expect(
      (await h.api('/api/v1/group-buys/gb-eggs/orders', { method: 'POST', body: { memberId: 'm-1', qty: 1 } })).body,
    ).toMatchObject({ status: 'forming', orderedQty: 1 });
    expect(
      (await h.api('/api/v1/group-buys/gb-eggs/orders', { method: 'POST', body: { memberId: 'm-3', qty: 2 } })).body,
    ).toMatchObject({ status: 'formed', orderedQty: 3 });
    expect(
      lockerOf(h.gw)
        .parcels.notices('m-3')
        .map((n) => n.kind),
    ).toContain('group_buy_formed');
    const served: string[] = [];
    for (const txn of ['g-1', 'g-2']) {
      const r = await ask(locker, txn, {
        op: 'deposit',
        size: 'S',
        tracking: txn,
        recipient: { type: 'group_buy', orderId: 'gb-eggs' },
      });
      const c = r.status === 'ok' ? (r.open?.[0]?.compartment ?? '') : '';
      await sendEvent(locker, { event: 'compartment', compartment: c, state: 'open' }, txn);
      await sendEvent(locker, { event: 'compartment', compartment: c, state: 'closed' }, txn);
      await waitFor(() => status(c) === 'stored', 'stored');
      served.push(lockerOf(h.gw).parcels.byTxn('locker-01', txn)?.memberId ?? '');
    }
    expect(served).toEqual(['m-1', 'm-3']);
    expect(
      await ask(locker, 'g-3', {
        op: 'deposit',
        size: 'S',
        tracking: 'g-3',
        recipient: { type: 'group_buy', orderId: 'gb-eggs' },
      }),
    ).toMatchObject({ decision: 'declined', declineCode: 'GROUP_BUY_COMPLETE' });
    expect((await h.api('/api/v1/group-buys/gb-eggs')).body).toMatchObject({ status: 'delivered' });
  });
});

describe('parcel locker across a gateway restart', () => {
  it(
    'a deposit confirmed after the restart is stored and the member notified; ' + 'a retried deposit re-opens the door',
    async () => {
      const { Gateway } = await import('../../gateway/app.ts');
      const { ConfigSchema } = await import('../../gateway/config/schema.ts');
      const { silentLogger } = await import('../../gateway/core/log.ts');
      const h = await startGateway();
      let gw2: InstanceType<typeof Gateway> | undefined;
      let locker: RawDevice | undefined;
      try {
        h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FIXTURE))();
        const secret = (await h.gw.devices.provision({ id: 'locker-01', kind: 'parcel_locker' })).secret;
        locker = await new RawDevice('locker-01', 'parcel_locker', secret).connect(h.mqttUrl);
        await locker.birth(CAPS, 3600);
        await waitFor(() => h.gw.monitor.get('locker-01')?.born === true, 'birth');
        const d = await ask(locker, 'dep-r', {
          op: 'deposit',
          size: 'S',
          tracking: 'R1',
          recipient: { type: 'member', memberId: 'm-1' },
        });
        const c = d.status === 'ok' ? (d.open?.[0]?.compartment ?? '') : '';
        locker.client.end(true);
        const port = h.endpoints.mqttPort;
        await h.gw.stop();
        gw2 = new Gateway(
          ConfigSchema.parse({
            dataDir: h.dataDir,
            mqtt: { host: '127.0.0.1', port, plaintext: true, tls: { enabled: false } },
            http: { host: '127.0.0.1', port: 0 },
            log: { level: 'silent' },
          }),
          silentLogger(),
        );
        await gw2.start();
        locker = await new RawDevice('locker-01', 'parcel_locker', secret, 2).connect(`mqtt://127.0.0.1:${port}`);
        await locker.birth(CAPS, 3600);
        const g = gw2;
        await waitFor(() => g.monitor.get('locker-01')?.born === true, 'birth after restart');
        // the courier's app retries the deposit: same compartment, the door is told to open again
        expect(
          await ask(locker, 'dep-r', {
            op: 'deposit',
            size: 'S',
            tracking: 'R1',
            recipient: { type: 'member', memberId: 'm-1' },
          }),
        ).toMatchObject({ open: [{ compartment: c }] });
        expect(
          lockerOf(g)
            .locker.occupancy('locker-01')
            .compartments.find((x) => x.id === c)?.pending,
        ).toBe('open');
        await sendEvent(locker, { event: 'compartment', compartment: c, state: 'open' }, 'dep-r');
        await sendEvent(locker, { event: 'compartment', compartment: c, state: 'closed' }, 'dep-r');
        await waitFor(
          () => lockerOf(g).parcels.byTxn('locker-01', 'dep-r')?.status === 'stored',
          'stored after restart',
        );
        expect(
          lockerOf(g)
            .parcels.notices('m-1')
            .map((n) => n.kind),
        ).toContain('parcel_arrived');
      } finally {
        locker?.client.end(true);
        await gw2?.stop();
        await h.stop();
      }
    },
  );
});
