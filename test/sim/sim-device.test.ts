import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BirthMessageSchema, DeathMessageSchema } from '../../firmware-protocol/src/messages/lifecycle.ts';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { fleetIds, SimDevice, SimFleet } from '../../sim/src/index.ts';
import { readCredentialsFile } from '../../sim/src/credentials.ts';
import { seededRng } from '../../sim/src/prng.ts';
import { Backoff } from '../../sim/src/backoff.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { tempDir } from '../support/tmp.ts';

describe('simulated devices against the real gateway', () => {
  let h: Harness;
  let sims: SimDevice[];
  const uplinks: { topic: string; json: any }[] = [];
  const sim = async (id: string, kind: ConstructorParameters<typeof SimDevice>[0]['kind']) => {
    const { secret } = await h.gw.devices.provision({
      id,
      kind,
      ...(kind === 'shop_scanner' ? { merchantId: 'cafe-01' } : {}),
    });
    const d = new SimDevice({ url: h.mqttUrl, id, kind, secret });
    sims.push(d);
    return d;
  };

  beforeEach(async () => {
    // a cleared fault counts as gone at once (health.faultClearS damps flickering faults; none flicker here)
    h = await startGateway({ health: { faultClearS: 0 } } as never);
    sims = [];
    uplinks.length = 0;
    await h.gw.broker.subscribe(topics.allUplinks(), (m) => {
      try {
        uplinks.push({ topic: m.topic, json: JSON.parse(m.payload.toString()) });
      } catch {
        uplinks.push({ topic: m.topic, json: null });
      }
    });
  });
  afterEach(async () => {
    await Promise.all(sims.map((s) => s.stop({ graceful: false })));
    await h.stop();
  });

  it('every kind comes online with a valid birth (seq 0), then increasing seq', async () => {
    const ds = [
      await sim('locker-01', 'parcel_locker'),
      await sim('vm-01', 'vending_machine'),
      await sim('door-01', 'door_reader'),
      await sim('scanner-01', 'shop_scanner'),
    ];
    await Promise.all(ds.map((d) => d.start()));
    for (const d of ds) {
      await waitFor(() => h.gw.monitor.get(d.id)?.verdict.status === 'ok', `${d.id} ok`);
      d.sendHeartbeatNow();
      const mine = () => uplinks.filter((u) => u.topic.includes(`/dev/${d.id}/`));
      await waitFor(() => mine().some((u) => u.json?.type === 'heartbeat'), `${d.id} heartbeat`);
      const birth = BirthMessageSchema.parse(mine()[0]?.json);
      expect(birth.seq).toBe(0);
      expect(birth.body.kind).toBe(d.kind);
      const seqs = mine().map((u) => u.json.seq as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(h.gw.monitor.get(d.id)?.seqGaps).toBe(0);
      expect(h.gw.monitor.get(d.id)?.badMessages).toBe(0);
    }
    const api = await h.api('/api/v1/devices/locker-01');
    expect(api.body.summary).toMatchObject({ compartments: 24 });
  });

  it('a dropped connection publishes the will with the session bdSeq; the next session has bdSeq + 1', async () => {
    const d = await sim('door-01', 'door_reader');
    await d.start();
    const first = d.bdSeq;
    const reborn = new Promise((r) => d.once('birth', r));
    d.drop();
    await waitFor(() => uplinks.some((u) => u.json?.type === 'death'), 'will');
    expect(DeathMessageSchema.parse(uplinks.find((u) => u.json?.type === 'death')?.json).body).toEqual({
      bdSeq: first,
      reason: 'lost',
    });
    await reborn;
    expect(d.bdSeq).toBe(first + 1);
    await waitFor(
      () => h.gw.monitor.get('door-01')?.bdSeq === first + 1 && h.gw.monitor.get('door-01')?.verdict.status === 'ok',
      'new session ok',
    );
  });

  it(
    'answers commands: compartment opens and its door shows in telemetry; ' + 'unknown compartment is rejected',
    async () => {
      const d = await sim('locker-01', 'parcel_locker');
      await d.start();
      const ok = await h.api('/api/v1/devices/locker-01/commands', {
        method: 'POST',
        body: { name: 'open_compartment', args: { compartment: '3' } },
      });
      expect(ok.body).toMatchObject({ status: 'done', result: { compartment: '3' } });
      await waitFor(
        () => JSON.stringify(h.gw.monitor.get('locker-01')?.telemetry ?? {}).includes('"id":"3","door":"open"'),
        'door 3 open in telemetry',
      );
      const bad = await h.api('/api/v1/devices/locker-01/commands', {
        method: 'POST',
        body: { name: 'open_compartment', args: { compartment: '99' } },
      });
      expect(bad.body.error).toMatchObject({ code: 'COMMAND_REJECTED', details: { reason: 'E_NO_SUCH_COMPARTMENT' } });
    },
  );

  it('reboot: death "shutdown", then a new birth with bdSeq + 1', async () => {
    const d = await sim('vm-01', 'vending_machine');
    await d.start();
    const first = d.bdSeq;
    const reborn = new Promise((r) => d.once('birth', r));
    expect(
      (await h.api('/api/v1/devices/vm-01/commands', { method: 'POST', body: { name: 'reboot', args: { delayS: 0 } } }))
        .status,
    ).toBe(200);
    await reborn;
    const death = uplinks.find((u) => u.json?.type === 'death');
    expect(death?.json.body).toEqual({ bdSeq: first, reason: 'shutdown' });
    expect(d.bdSeq).toBe(first + 1);
  });

  it('each kind of garbage earns its coded error and the device stays healthy', async () => {
    const d = await sim('scanner-01', 'shop_scanner');
    await d.start();
    for (const g of ['malformed_json', 'schema_invalid', 'unknown_type', 'wrong_channel'] as const)
      await d.sendGarbage(g);
    await waitFor(() => d.errorsReceived.length >= 4, 'four errors');
    expect(d.errorsReceived.map((e) => e.body.code)).toEqual([
      'MALFORMED_JSON',
      'SCHEMA_INVALID',
      'UNKNOWN_MESSAGE_TYPE',
      'UNKNOWN_CHANNEL',
    ]);
    expect(h.gw.monitor.get('scanner-01')?.verdict.status).toBe('ok');
  });

  it('an oversized packet gets PAYLOAD_TOO_LARGE and the connection is closed', async () => {
    const d = await sim('scanner-01', 'shop_scanner');
    await d.start();
    const gone = new Promise((r) => d.once('disconnected', r));
    void d.sendGarbage('oversized').catch(() => undefined);
    await gone;
    await waitFor(() => d.errorsReceived.length > 0, 'the error before the close');
    expect(d.errorsReceived.map((e) => e.body.code)).toContain('PAYLOAD_TOO_LARGE');
  });

  it('faults and a warm fridge show in health; clearing them restores ok', async () => {
    const d = await sim('vm-01', 'vending_machine');
    await d.start();
    d.setTemperature(15);
    await waitFor(
      () => h.gw.monitor.get('vm-01')?.verdict.reasons.some((r) => r.code === 'TOO_WARM') === true,
      'too warm',
    );
    d.setFault('E_COIN_JAM');
    await waitFor(() => h.gw.monitor.get('vm-01')?.verdict.status === 'fault', 'fault');
    d.clearFault();
    d.setTemperature(5);
    await waitFor(() => h.gw.monitor.get('vm-01')?.verdict.status === 'ok', 'ok again');
  });

  it('sends a new birth when the gateway restarts with a new bootId (rebirth)', async () => {
    const port = h.endpoints.mqttPort;
    const d = await sim('door-01', 'door_reader');
    await d.start();
    const dataDir = h.dataDir;
    await h.gw.stop();
    const { Gateway } = await import('../../gateway/app.ts');
    const { ConfigSchema } = await import('../../gateway/config/schema.ts');
    const { silentLogger } = await import('../../gateway/core/log.ts');
    const gw2 = new Gateway(
      ConfigSchema.parse({
        dataDir,
        mqtt: { host: '127.0.0.1', port, plaintext: true, tls: { enabled: false } },
        http: { host: '127.0.0.1', port: 0 },
        log: { level: 'silent' },
      }),
      silentLogger(),
    );
    await gw2.start();
    try {
      await waitFor(
        () => gw2.monitor.get('door-01')?.verdict.status === 'ok',
        'device back after the gateway restart',
        15_000,
      );
    } finally {
      await gw2.stop();
    }
  });
});

describe('simulated purchases', () => {
  it('a scanner and a vending machine pay with a resident card through the real protocol', async () => {
    const h = await startGateway();
    const { loadInto } = await import('../../gateway/cli/redemption-commands.ts');
    const { FixtureSchema } = await import('../../gateway/redemption/fixture.ts');
    loadInto(
      h.gw.store,
      h.dataDir,
      FixtureSchema.parse({
        merchants: [{ id: 'cafe-01', name: 'Café' }],
        members: [{ id: 'm-1', walletFen: 20000, cards: [{ type: 'uid', uid: '04A1A2A3' }] }],
      }),
    );
    const devices: SimDevice[] = [];
    try {
      for (const [id, kind] of [
        ['scanner-01', 'shop_scanner'],
        ['vm-01', 'vending_machine'],
      ] as const) {
        const d = new SimDevice({
          url: h.mqttUrl,
          id,
          kind,
          secret: (
            await h.gw.devices.provision({ id, kind, ...(kind === 'shop_scanner' ? { merchantId: 'cafe-01' } : {}) })
          ).secret,
        });
        devices.push(d);
        await d.start();
      }
      const [scanner, vm] = devices as [SimDevice, SimDevice];
      const txn = scanner.newTxn();
      const r = await scanner.request(
        { op: 'redeem', credential: { type: 'uid', uid: '04A1A2A3' }, amountFen: 1200 },
        txn,
      );
      expect(r).toMatchObject({ status: 'ok', decision: 'approved', payableFen: 1200 });
      expect(
        await scanner.request({ op: 'redeem', credential: { type: 'uid', uid: '04A1A2A3' }, amountFen: 1200 }, txn),
      ).toEqual(r);
      const vtxn = vm.newTxn();
      expect(
        await vm.request(
          {
            op: 'authorize',
            credential: { type: 'uid', uid: '04A1A2A3' },
            items: [{ productId: 'milk-250ml', unitPriceFen: 450, qty: 1 }],
          },
          vtxn,
        ),
      ).toMatchObject({ state: 'held' });
      expect(await vm.request({ op: 'void', reason: 'vend_failed' }, vtxn)).toMatchObject({ state: 'voided' });
      const lookup = await vm.request({ op: 'lookup', credential: { type: 'uid', uid: '04A1A2A3' } }, vm.newTxn());
      expect(lookup).toMatchObject({ status: 'ok', member: { walletFen: 18800 } });
    } finally {
      await Promise.all(devices.map((d) => d.stop({ graceful: false })));
      await h.stop();
    }
  });
});

describe('simulator parts', () => {
  it('fleetIds are stable and per kind', () => {
    expect(fleetIds({ lockers: 2, vending: 1, doors: 0, scanners: 1 })).toEqual([
      { id: 'locker-01', kind: 'parcel_locker' },
      { id: 'locker-02', kind: 'parcel_locker' },
      { id: 'vm-01', kind: 'vending_machine' },
      { id: 'scanner-01', kind: 'shop_scanner', merchantId: 'cafe-01' },
    ]);
  });

  it('the seeded PRNG repeats, and back-off grows with jitter up to 60 s', () => {
    const a = seededRng(7);
    const b = seededRng(7);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    const bo = new Backoff(seededRng(1));
    const delays = Array.from({ length: 10 }, () => bo.next());
    expect(delays[0]).toBeGreaterThanOrEqual(500);
    expect(delays[0]).toBeLessThanOrEqual(1000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(60_000);
    expect(delays[9]).toBeGreaterThanOrEqual(30_000);
    bo.reset();
    expect(bo.next()).toBeLessThanOrEqual(1000);
  });

  it('a bad credentials file names the entry and field', () => {
    const tmp = tempDir();
    const f = join(tmp.dir, 'creds.json');
    writeFileSync(
      f,
      JSON.stringify([
        { id: 'vm-01', kind: 'vending_machine', secret: 's' },
        { id: 'x', kind: 'toaster', secret: 's' },
      ]),
    );
    expect(() => readCredentialsFile(f)).toThrow(/\[1\]\.kind/);
    tmp.cleanup();
  });

  it('a fleet starts and stops all its devices', async () => {
    const h = await startGateway();
    try {
      const creds = [];
      for (const { id, kind, merchantId } of fleetIds({ lockers: 1, vending: 1, doors: 1, scanners: 1 }))
        creds.push({
          id,
          kind,
          secret: (await h.gw.devices.provision({ id, kind, ...(merchantId ? { merchantId } : {}) })).secret,
        });
      const fleet = new SimFleet({ url: h.mqttUrl, credentials: creds });
      await fleet.start();
      expect(fleet.devices.every((d) => d.connected)).toBe(true);
      fleet.runScenario('faults', { seed: 1, intervalMs: 50 });
      await waitFor(
        () => h.gw.monitor.all().some((d) => d.verdict.status !== 'ok'),
        'the faults scenario changes some health',
      );
      await fleet.stop();
      await waitFor(
        () => h.gw.monitor.all().every((d) => d.verdict.status === 'offline'),
        'all offline after a clean stop',
      );
    } finally {
      await h.stop();
    }
  });
});
