import { demoFixture } from '../../gateway/redemption/demo-fixture.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { DataFolderLock } from '../../gateway/store/data-lock.ts';
import { Store } from '../../gateway/store/store.ts';
import { verifySecret } from '../../gateway/security/secret-hash.ts';
import { startGateway, waitFor } from '../support/gateway-harness.ts';
import { tempDir } from '../support/tmp.ts';
import { linliInProcess as linli, linliProcess } from './cli-support.ts';

describe('linli command line', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir();
  });
  afterAll(() => tmp.cleanup());

  it('provision --json prints id, kind and a secret that only the hash in the database matches', async () => {
    const r = await linli(['provision', '--kind', 'vending_machine', '--id', 'vm-01', '--data', tmp.dir, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; kind: string; secret: string };
    expect(out).toEqual({
      id: 'vm-01',
      kind: 'vending_machine',
      secret: expect.any(String),
      broker: expect.objectContaining({ tls: true }),
    });
    const store = new Store(tmp.dir);
    const rec = store.devices.get('vm-01');
    store.close();
    expect(rec?.secretHash).not.toContain(out.secret);
    expect(await verifySecret(out.secret, rec?.secretHash ?? '')).toBe(true);
  });

  it(
    'refuses a second provision of the same id and a bad kind, ' + 'with a clear message and a failing exit code',
    async () => {
      const dup = await linli(['provision', '--kind', 'vending_machine', '--id', 'vm-01', '--data', tmp.dir]);
      expect(dup.code).not.toBe(0);
      expect(dup.stderr).toMatch(/DEVICE_EXISTS/);
      const bad = await linli(['provision', '--kind', 'toaster', '--id', 'x-1', '--data', tmp.dir]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/kind/);
    },
  );

  it('token create --json and device rotate/disable/list', async () => {
    const t = await linli(['token', 'create', '--role', 'admin', '--data', tmp.dir, '--json']);
    expect(JSON.parse(t.stdout)).toMatchObject({ role: 'admin', token: expect.stringMatching(/^llt_/) });
    const rot = await linli(['device', 'rotate', 'vm-01', '--data', tmp.dir, '--json']);
    expect(JSON.parse(rot.stdout)).toMatchObject({ id: 'vm-01', secret: expect.any(String) });
    await linli(['device', 'disable', 'vm-01', '--data', tmp.dir]);
    const list = await linli(['device', 'list', '--data', tmp.dir, '--json']);
    expect(JSON.parse(list.stdout).items).toEqual([expect.objectContaining({ id: 'vm-01', disabled: true })]);
  });

  it('device delete needs --yes; then the device is gone and its id free again', async () => {
    const ask = await linli(['device', 'delete', 'vm-01', '--data', tmp.dir]);
    expect(ask.code).toBe(2);
    expect(ask.stderr).toMatch(/nothing was changed/);
    expect(ask.stderr).toMatch(/linli device delete vm-01 --yes/);
    const del = await linli(['device', 'delete', 'vm-01', '--yes', '--data', tmp.dir, '--json']);
    expect(JSON.parse(del.stdout)).toEqual({ id: 'vm-01', kind: 'vending_machine', deleted: true });
    expect(JSON.parse((await linli(['device', 'list', '--data', tmp.dir, '--json'])).stdout).items).toEqual([]);
    expect((await linli(['provision', '--kind', 'door_reader', '--id', 'vm-01', '--data', tmp.dir])).code).toBe(0);
  });

  it('load --demo fills the database and ledger verify checks it; a broken fixture names the path', async () => {
    const r = await linli(['load', '--demo', '--data', tmp.dir, '--json']);
    // the community's 14 offers and those the kinds add (the charging pile's cards and coupons)
    expect(JSON.parse(r.stdout)).toMatchObject({ members: 300, campaigns: demoFixture().campaigns?.length });
    const v = await linli(['ledger', 'verify', '--data', tmp.dir, '--json']);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, problems: [] });
    // a JSON file is streamed: checked, then loaded, with a progress bar on stderr (lines when not a terminal)
    const good = join(tmp.dir, 'good.json');
    writeFileSync(good, JSON.stringify(demoFixture({ members: 40 })));
    const g = await linli(['load', good, '--data', join(tmp.dir, 'streamed'), '--json']);
    expect(g.code, g.stderr).toBe(0);
    expect(JSON.parse(g.stdout)).toMatchObject({ members: 40, blocked: 1 });
    expect(g.stderr).toMatch(/^checking +\[#{30}\] 100% 40 members, \d+ s$/m);
    expect(g.stderr).toMatch(/^loading +\[#{30}\] 100% 40 members, \d+ s$/m);
    expect(JSON.parse(g.stdout)).not.toHaveProperty('parts');
    // beside a running gateway (it holds the data folder) the load commits in short parts, and says so
    const live = join(tmp.dir, 'live');
    const gateway = DataFolderLock.acquire(live, 'linli start (test)');
    try {
      const l = await linli(['load', good, '--data', live, '--json']);
      expect(l.code, l.stderr).toBe(0);
      expect(JSON.parse(l.stdout)).toMatchObject({ members: 40, blocked: 1, parts: expect.any(Number) });
      expect((await linli(['load', good, '--data', live])).stdout).toMatch(/beside the running gateway, in \d+ parts/);
    } finally {
      gateway.release();
    }
    const f = join(tmp.dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ members: [{ id: 'm-1', benefits: [{ id: 'b', campaignId: 'none' }] }] }));
    const bad = await linli(['load', f, '--data', tmp.dir]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/members\[0\]\.benefits\[0\]\.campaignId: unknown campaign "none"/);
    expect(bad.stderr).toMatch(/nothing was loaded/);
  });

  it(
    'device delete beside a running gateway: ' + 'the device is kicked and forgotten, its retained state cleared',
    async () => {
      const h = await startGateway();
      try {
        const { secret } = await h.gw.devices.provision({ id: 'door-07', kind: 'door_reader' });
        const { SimDevice } = await import('../../sim/src/index.ts');
        const d = new SimDevice({ url: h.mqttUrl, id: 'door-07', kind: 'door_reader', secret });
        await d.start();
        await waitFor(() => h.gw.monitor.get('door-07')?.verdict.status === 'ok', 'door-07 online');
        const cleared: Buffer[] = [];
        await h.gw.broker.subscribe(topics.deviceState('door-07'), (m) => cleared.push(m.payload));
        const r = await linli(['device', 'delete', 'door-07', '--yes', '--data', h.dataDir]);
        expect(r.code, r.stderr).toBe(0);
        // the running gateway's registry watcher notices the other connection's commit
        await waitFor(
          () => h.gw.monitor.get('door-07') === undefined && !d.connected,
          'door-07 kicked and forgotten',
          10_000,
        );
        await waitFor(
          () => cleared.some((p) => p.length === 0),
          'the retained state cleared (empty retained message)',
          10_000,
        );
        await d.stop({ graceful: false });
      } finally {
        await h.stop();
      }
    },
  );

  it('linli sim creates sim- devices of its own through the API, ' +
    'leaves a real device untouched, stops by itself', async () => {
    const h = await startGateway();
    try {
      // a real device that happens to use the simulator's first id: never rotated, enabled or reused
      const real = await h.gw.devices.provision({
        id: 'sim-locker-01',
        kind: 'parcel_locker',
        name: 'Building 2 lockers',
      });
      const hashBefore = h.gw.store.devices.get('sim-locker-01')?.secretHash;
      const args = [
        'sim',
        '--url',
        h.mqttUrl,
        '--api',
        h.endpoints.httpUrl,
        '--token',
        h.adminToken,
        '--lockers',
        '1',
        '--scanners',
        '1',
        '--duration',
        '2',
        '--log-level',
        'warn',
      ];
      const r = await linliProcess(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/sim-locker-01\s+left untouched: not created by this simulator/);
      expect(r.stdout).toMatch(/sim-locker-02\s+parcel_locker\s+connected/);
      expect(r.stdout).toMatch(/2 devices running scenario "steady"/);
      expect(
        h.gw.store.devices
          .list()
          .map((d) => d.id)
          .sort(),
      ).toEqual(['sim-locker-01', 'sim-locker-02', 'sim-scanner-01']);
      expect(h.gw.store.devices.get('sim-locker-01')?.secretHash).toBe(hashBefore);
      expect(await verifySecret(real.secret, hashBefore ?? '')).toBe(true);
      // it stopped by itself with an orderly shutdown: the gateway saw its devices go offline at once
      expect(h.gw.monitor.get('sim-locker-02')?.verdict.reasons[0]?.code).toBe('SHUTDOWN');
      // a second run reuses its own devices with a new secret, and still leaves the real one alone
      const again = await linliProcess(args);
      expect(again.stdout).toMatch(/sim-locker-02\s+parcel_locker\s+created by linli sim before: new secret/);
      expect(h.gw.store.devices.get('sim-locker-01')?.secretHash).toBe(hashBefore);
    } finally {
      await h.stop();
    }
  }, 120_000);
});
