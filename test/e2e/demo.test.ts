import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { KIND_MODULES } from '../../devices/registry.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { GatewayStateSchema } from '../../firmware-protocol/src/messages/state.ts';
import { topics } from '../../firmware-protocol/src/topics.ts';
import type { Activity } from '../../gateway/http/activity.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/gateway-harness.ts';

const BIN = new URL('../../bin/linli.mjs', import.meta.url).pathname;

/** `linli demo` as `npm start` runs it, with the default (quiet) console: no LINLI_LOG_LEVEL. */
function demo(dir: string, extra: string[] = []) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.LINLI_LOG_LEVEL;
  const args = [
    'demo',
    '--data',
    dir,
    '--mqtts-port',
    '0',
    '--http-port',
    '0',
    '--scenario',
    'steady',
    '--interval',
    '400',
    '--summary-every',
    '2',
    ...extra,
  ];
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const banner = async () => {
    await waitFor(() => /Admin token\s+llt_/.test(out), `the demo banner (stdout: ${out}, stderr: ${err})`, 60_000);
    return {
      token: /Admin token\s+(llt_\S+)/.exec(out)?.[1] ?? '',
      api: /Staff API\s+(http:\/\/\S+)\/api\/v1\/devices/.exec(out)?.[1] ?? '',
      mqttUrl: /MQTT broker\s+(mqtts:\/\/\S+)/.exec(out)?.[1] ?? '',
    };
  };
  return { child, exited, banner, out: () => out, err: () => err };
}

/** Log lines (JSON, stdout is not a terminal) at warn or above. */
const warnings = (text: string) => text.split('\n').filter((l) => /"level":(4|5|6)\d/.test(l));

describe('linli demo (what npm start runs)', () => {
  const tmp = tempDir('linli-demo-');
  afterAll(() => tmp.cleanup());

  it('shows 无感核销 at work: discounts, points, a refunded vend, a parcel picked up; ' +
    'quiet console; clean Ctrl-C', async () => {
    const d = demo(tmp.dir);
    try {
      const { token, api, mqttUrl } = await d.banner();
      const get = async <T>(path: string): Promise<T> =>
        (await (await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
      expect(d.out()).toMatch(/Dashboard\s+http:\/\/127\.0\.0\.1:\d+\/#token=llt_/);
      expect(d.out()).toContain(join(tmp.dir, 'linli.db'));
      expect(d.out()).toContain('Cloud (simulated)');
      // the banner comes last: nothing of the start-up scrolled it away, and routine events stay out of the console
      expect(d.out().split('Linli gateway demo is running.')[0]?.trim()).toBe('');

      const devices = async () =>
        (await get<{ items: { id: string; kind: string; online: boolean }[] }>('/api/v1/devices')).items;
      await waitFor(async () => (await devices()).every((x) => x.online), 'all simulated devices online', 30_000);
      const items = await devices();
      // every kind of the registry, as many as the demo runs of each
      expect(new Set(items.map((x) => x.kind))).toEqual(new Set(KIND_MODULES.map((m) => m.wire.kind)));
      expect(items.length).toBe(KIND_MODULES.reduce((n, m) => n + m.sim.demo, 0));
      expect(items.every((x) => x.id.startsWith('sim-'))).toBe(true);

      // a bounded number of simulated purchases: within them, every part of the headline shows
      let a: Activity | undefined;
      const shown = (x: Activity) =>
        x.purchases.withDiscount >= 1 &&
        x.purchases.savedFen > 0 &&
        x.purchases.pointsEarned > 0 &&
        x.vends.failedRefunded >= 1 &&
        x.parcels.pickedUp >= 1 &&
        x.doors.opened >= 1;
      await waitFor(
        async () => {
          a = await get<Activity>('/api/v1/activity');
          if (a.purchases.approved + a.purchases.declined > 80)
            throw new Error(`80 purchases and still not everything shown: ${JSON.stringify(a)}`);
          return shown(a);
        },
        'discounts, points, a refunded vend and a picked-up parcel',
        120_000,
      );
      expect(Object.keys(a?.benefits.applied ?? {}).length).toBeGreaterThan(0);
      // each purchase says which benefits applied and why the others did not
      const recent = await get<{
        items: { result: { applied: unknown[]; notApplied: { code: string; message: { en: string } }[] } }[];
      }>('/api/v1/redemptions?limit=50');
      expect(recent.items.some((r) => r.result.applied.length > 0)).toBe(true);
      expect(recent.items.some((r) => r.result.notApplied.some((n) => n.message.en.length > 0))).toBe(true);
      // and the console says it in one line a person can follow
      await waitFor(
        () =>
          new RegExp(
            /purchases \d+ approved \([1-9]\d* with a discount, ¥\d+\.\d\d saved, \d+ points earned\)/.source +
              /.*vends, [1-9]\d* failed and refunded; parcels \d+ in, [1-9]\d* picked up; doors \d+ opened/.source,
          ).test(d.out()),
        'a summary line with it all',
        30_000,
      );
      expect(d.out()).not.toMatch(/"level":30/); // routine events are not in the console

      // a real device, provisioned over the API, sees the gateway go offline on Ctrl-C
      const prov = await fetch(`${api}/api/v1/devices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'door-99', kind: 'door_reader' }),
      });
      const { secret } = (await prov.json()) as { secret: string };
      const observer = await mqtt.connectAsync(mqttUrl, {
        protocolVersion: 4,
        clientId: 'door-99',
        username: 'door-99',
        password: secret,
        reconnectPeriod: 0,
        // the demo's devices trust its local CA, as a real device does (linli provision prints it)
        ca: readFileSync(join(tmp.dir, 'tls', 'ca.crt')),
      });
      const states: string[] = [];
      observer.on('message', (_t, p) => states.push(GatewayStateSchema.parse(JSON.parse(p.toString())).state));
      await observer.subscribeAsync(topics.gatewayState(), { qos: 1 });
      await waitFor(() => states.includes('online'), 'retained online state');
      const before = d.out().length;
      d.child.kill('SIGINT');
      await waitFor(() => states.includes('offline'), 'the gateway offline state before the connection closes');
      observer.end(true);
      expect(await d.exited).toBe(0);
      // a clean stop says nothing alarming: no warnings, no stack traces
      expect(warnings(d.out().slice(before))).toEqual([]);
      expect(d.out().slice(before)).not.toMatch(/\n\s+at /);
      expect(d.err()).not.toMatch(/Error|uncaught|warn/i);
      const wal = join(tmp.dir, 'linli.db-wal');
      expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
      // the admin token stays for the next run, readable by its owner only
      expect(statSync(join(tmp.dir, 'demo-admin-token')).mode & 0o777).toBe(0o600);
    } finally {
      if (d.child.exitCode === null) d.child.kill('SIGKILL');
    }
  }, 240_000);

  it('a restart on the same data folder keeps the admin token; a second demo on it is refused', async () => {
    const first = /Admin token\s+(llt_\S+)/.exec(
      await (async () => {
        const d = demo(tmp.dir);
        try {
          await d.banner();
          const second = demo(tmp.dir);
          expect(await second.exited).toBe(1);
          expect(second.err()).toMatch(
            /^linli: the data folder .* is in use by another Linli gateway \(pid \d+, `linli demo`/,
          );
          d.child.kill('SIGINT');
          expect(await d.exited).toBe(0);
          return d.out();
        } finally {
          if (d.child.exitCode === null) d.child.kill('SIGKILL');
        }
      })(),
    )?.[1];
    const again = demo(tmp.dir);
    try {
      const { token, api } = await again.banner();
      expect(token).toBe(first);
      expect(again.out()).toMatch(/the same as last time/);
      expect((await fetch(`${api}/api/v1/devices`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        200,
      );
      again.child.kill('SIGINT');
      expect(await again.exited).toBe(0);
    } finally {
      if (again.child.exitCode === null) again.child.kill('SIGKILL');
    }
  }, 180_000);
});
