import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { GatewayStateSchema } from '../../firmware-protocol/src/messages/state.ts';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/gateway-harness.ts';

const BIN = new URL('../../bin/linli.mjs', import.meta.url).pathname;

describe('linli demo (what npm start runs)', () => {
  const tmp = tempDir('linli-demo-');
  afterAll(() => tmp.cleanup());

  it('starts broker, database, simulated devices of every kind and the API; Ctrl-C stops cleanly', async () => {
    const child = spawn(process.execPath, [BIN, 'demo', '--data', tmp.dir, '--mqtt-port', '0', '--http-port', '0', '--scenario', 'steady'], {
      env: { ...process.env, LINLI_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor(() => /Admin token\s+llt_/.test(out), `the demo banner (stdout: ${out}, stderr: ${err})`, 30_000);
      const token = /Admin token\s+(llt_\S+)/.exec(out)?.[1] ?? '';
      const api = /Staff API\s+(http:\/\/\S+)\/api\/v1\/devices/.exec(out)?.[1] ?? '';
      const mqttUrl = /MQTT broker\s+(mqtt:\/\/\S+)/.exec(out)?.[1] ?? '';
      expect(out).toMatch(/Dashboard\s+http:\/\/127\.0\.0\.1:\d+\/#token=llt_/);
      expect(out).toContain(join(tmp.dir, 'linli.db'));
      const devices = async () =>
        (await (await fetch(`${api}/api/v1/devices`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
          items: { id: string; kind: string; online: boolean; status: string }[];
        };
      await waitFor(async () => (await devices()).items.every((d) => d.online), 'all simulated devices online', 20_000);
      const items = (await devices()).items;
      expect(new Set(items.map((d) => d.kind))).toEqual(new Set(['parcel_locker', 'vending_machine', 'door_reader', 'shop_scanner']));
      expect(items.length).toBe(9);
      expect((await fetch(`${api}/healthz`)).status).toBe(200);
      // the simulated cloud receives the community's events: the outbox drains
      const cloud = async () => ((await (await fetch(`${api}/healthz`)).json()) as { cloud: { enabled: boolean; connected: boolean; session: number } }).cloud;
      await waitFor(async () => (await cloud()).connected, 'connected to the simulated cloud', 10_000);
      expect(out).toContain('Cloud (simulated)');

      // a real device, provisioned over the API, sees the gateway go offline on Ctrl-C
      const prov = await fetch(`${api}/api/v1/devices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'door-99', kind: 'door_reader' }),
      });
      const { secret } = (await prov.json()) as { secret: string };
      const observer = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4, clientId: 'door-99', username: 'door-99', password: secret, reconnectPeriod: 0 });
      const states: string[] = [];
      observer.on('message', (_t, p) => states.push(GatewayStateSchema.parse(JSON.parse(p.toString())).state));
      await observer.subscribeAsync(topics.gatewayState(), { qos: 1 });
      await waitFor(() => states.includes('online'), 'retained online state');
      child.kill('SIGINT');
      await waitFor(() => states.includes('offline'), 'the gateway offline state before the connection closes');
      observer.end(true);
      expect(await exited).toBe(0);
      expect(err).not.toMatch(/Error|uncaught/i);
      // closed cleanly: the WAL was checkpointed into the database file
      const wal = join(tmp.dir, 'linli.db-wal');
      expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
