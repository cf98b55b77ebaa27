import { ImmediateWriter } from '../../gateway/store/immediate-writer.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ErrorMessageSchema,
  CommandMessageSchema,
  DeviceStateSchema,
  GatewayStateSchema,
} from '../../firmware-protocol/src/messages/index.ts';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { hashSecret } from '../../gateway/security/secret-hash.ts';
import { Store } from '../../gateway/store/store.ts';
import { DeviceService } from '../../gateway/registry/device-service.ts';
import { systemClock } from '../../gateway/core/clock.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { connectRaw, startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { RawDevice } from '../support/raw-device.ts';

const DOOR_CAPS = { doors: [{ id: 'main' }], readers: ['nfc'] };

describe('device lifecycle through the real broker', () => {
  let h: Harness;
  let secret: string;
  const devices: RawDevice[] = [];
  const device = async (bdSeq = 1) => {
    const d = await new RawDevice('door-01', 'door_reader', secret, bdSeq).connect(h.mqttUrl);
    devices.push(d);
    return d;
  };
  const status = () => h.gw.monitor.get('door-01')?.verdict.status;

  beforeEach(async () => {
    h = await startGateway();
    secret = (await h.gw.devices.provision({ id: 'door-01', kind: 'door_reader' })).secret;
  });
  afterEach(async () => {
    for (const d of devices.splice(0)) d.client.end(true);
    await h.stop();
  });

  it('birth → online ok; telemetry → health; retained device state for integrations', async () => {
    const d = await device();
    await waitFor(() => d.received.some((r) => r.topic === topics.gatewayState()), 'retained gateway state');
    expect(GatewayStateSchema.parse(d.received.find((r) => r.topic === topics.gatewayState())?.json).state).toBe(
      'online',
    );
    await d.birth(DOOR_CAPS);
    await waitFor(() => status() === 'ok', 'ok after birth');
    await d.send('telemetry', 'telemetry', {
      kind: 'door_reader',
      tamper: true,
      doors: [{ id: 'main', state: 'closed' }],
    });
    await waitFor(() => status() === 'fault', 'fault after tamper');
    const api = await h.api('/api/v1/devices/door-01');
    expect(api.body).toMatchObject({ online: true, status: 'fault', firmware: '2.1.0', reasons: [{ code: 'TAMPER' }] });
    expect(api.body.session).toMatchObject({ connected: true, bdSeq: 1, seqGaps: 0 });
    const history = await h.api('/api/v1/devices/door-01/health-history');
    expect(history.body.items.map((i: { status: string }) => i.status)).toEqual(['fault', 'ok', 'unknown']);
    const snap = h.gw.store.health.getSnapshot('door-01');
    expect(snap?.status).toBe('fault');
  });

  it('integration accounts read the retained device state, read-only', async () => {
    const password = 'integration-password-1';
    const hx = await startGateway({
      mqtt: {
        integrations: [
          { username: 'integration-ha', passwordHash: await hashSecret(password), subscribe: ['linli/v1/dev/+/state'] },
        ],
      },
    });
    try {
      const s = (await hx.gw.devices.provision({ id: 'door-01', kind: 'door_reader' })).secret;
      const d = await new RawDevice('door-01', 'door_reader', s).connect(hx.mqttUrl);
      devices.push(d);
      await d.birth(DOOR_CAPS);
      await waitFor(() => hx.gw.monitor.get('door-01')?.verdict.status === 'ok', 'ok');
      const ha = await connectRaw(hx.mqttUrl, { clientId: 'integration-ha-1', username: 'integration-ha', password });
      const got = new Promise<unknown>((resolve) => ha.on('message', (_t, p) => resolve(JSON.parse(p.toString()))));
      await ha.subscribeAsync('linli/v1/dev/+/state', { qos: 1 });
      expect(DeviceStateSchema.parse(await got)).toMatchObject({ state: 'online', status: 'ok' });
      ha.end(true);
    } finally {
      await hx.stop();
    }
  });

  it('a crash is offline after the grace period; the will carries the session bdSeq', async () => {
    const d = await device(5);
    await d.birth(DOOR_CAPS);
    await waitFor(() => status() === 'ok', 'ok');
    d.crash();
    await waitFor(() => status() === 'offline', 'offline after grace', 5000);
    expect(h.gw.monitor.get('door-01')?.verdict.reasons[0]?.code).toBe('CONNECTION_LOST');
  });

  it('a stale death from the previous session never marks the reconnected device offline', async () => {
    const first = await device(1);
    await first.birth(DOOR_CAPS);
    await waitFor(() => status() === 'ok', 'first session');
    const second = await device(2); // takeover: the first connection is closed by the broker
    await second.birth(DOOR_CAPS);
    await waitFor(() => h.gw.monitor.get('door-01')?.bdSeq === 2, 'second session');
    // replay the first session's will explicitly, as a late delivery would
    await second.publishRaw(
      topics.up('door-01', 'death'),
      JSON.stringify({ v: '1.0', id: 'w1', ts: 1, seq: 0, type: 'death', body: { bdSeq: 1 } }),
    );
    await new Promise((r) => setTimeout(r, 1500));
    h.gw.monitor.tick();
    expect(status()).toBe('ok');
    expect(h.gw.monitor.get('door-01')?.connected).toBe(true);
  });

  it('bad messages get coded errors on the device error topic and never crash the gateway', async () => {
    const d = await device();
    await d.send('heartbeat', 'heartbeat', { uptimeS: 1 }); // before birth
    await d.publishRaw(topics.up('door-01', 'telemetry'), '{not json');
    await d.birth(DOOR_CAPS);
    await d.publishRaw(
      topics.up('door-01', 'telemetry'),
      JSON.stringify({
        v: '1.0',
        id: 'x1',
        ts: 1,
        seq: 9,
        type: 'telemetry',
        body: { kind: 'door_reader', tamper: 'yes' },
      }),
    );
    await d.publishRaw(
      topics.up('door-01', 'heartbeat'),
      JSON.stringify({ v: '1.0', id: 'x2', ts: 1, seq: 9, type: 'telemetry', body: {} }),
    );
    await d.publishRaw('linli/v1/dev/door-01/up/bogus', '{}');
    await d.publishRaw(
      'linli/v9/dev/door-01/up/birth',
      JSON.stringify({ v: '9.0', id: 'x3', ts: 1, seq: 0, type: 'birth', body: {} }),
    );
    await d.send('telemetry', 'telemetry', { kind: 'vending_machine' });
    // the filter FWP-2.4 advises, to hear refusals on any major: granted, not 0x80
    const granted = await d.client.subscribeAsync('linli/+/dev/door-01/down/error', { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    await waitFor(() => d.errors().length >= 6, 'six errors on down/error');
    const codes = d.errors().map((e) => ErrorMessageSchema.parse(e).body.code);
    expect(codes).toEqual([
      'NOT_BORN',
      'MALFORMED_JSON',
      'SCHEMA_INVALID',
      'UNKNOWN_MESSAGE_TYPE',
      'UNKNOWN_CHANNEL',
      'DEVICE_KIND_MISMATCH',
    ]);
    const schemaErr = d.errors()[2];
    expect(schemaErr.corr).toBe('x1');
    expect(schemaErr.body.issues[0].path).toBe('body.tamper');
    await d.publishRaw(
      'linli/v9/dev/door-01/up/birth',
      JSON.stringify({ v: '9.0', id: 'x4', ts: 1, seq: 0, type: 'birth', body: {} }),
    );
    await waitFor(() => d.received.some((r) => r.topic === 'linli/v9/dev/door-01/down/error'), 'error on the v9 topic');
    const v9 = d.received.find((r) => r.topic === 'linli/v9/dev/door-01/down/error')?.json;
    expect(v9.body).toMatchObject({ code: 'UNSUPPORTED_PROTOCOL_VERSION', supportedMajors: [1] });
    expect(v9.corr).toBe('x4'); // the id was readable: the device can match the refusal [FWP-2.4]
    // a v1 topic carrying a major-2 envelope: refused with the majors spoken here, and its id
    await d.publishRaw(
      topics.up('door-01', 'heartbeat'),
      JSON.stringify({ v: '2.0', id: 'x5', ts: 1, seq: 10, type: 'heartbeat', body: {} }),
    );
    await waitFor(() => d.errors().some((e) => e.corr === 'x5'), 'the v2 envelope refused');
    expect(d.errors().find((e) => e.corr === 'x5').body).toMatchObject({
      code: 'UNSUPPORTED_PROTOCOL_VERSION',
      supportedMajors: [1],
    });
    expect(status()).toBe('ok');
    expect(h.gw.monitor.get('door-01')?.badMessages).toBeGreaterThanOrEqual(8);
    expect((await h.api('/healthz', { token: null })).status).toBe(200);
  });

  it('a device looping garbage gets at most 20 error replies a minute; the rest are only counted', async () => {
    const d = await device();
    await d.birth(DOOR_CAPS);
    for (let i = 0; i < 30; i++) await d.publishRaw(topics.up('door-01', 'telemetry'), '{not json');
    await waitFor(() => (h.gw.monitor.get('door-01')?.badMessages ?? 0) === 30, 'all 30 counted');
    await new Promise((r) => setTimeout(r, 200));
    expect(d.errors()).toHaveLength(20);
  });

  it('drops transport duplicates and counts sequence gaps', async () => {
    const d = await device();
    await d.birth(DOOR_CAPS);
    const msg = { v: '1.0', id: 'hb-1', ts: 1, seq: 1, type: 'heartbeat', body: { uptimeS: 5 } };
    await d.publishRaw(topics.up('door-01', 'heartbeat'), JSON.stringify(msg));
    await d.publishRaw(topics.up('door-01', 'heartbeat'), JSON.stringify(msg));
    await d.publishRaw(topics.up('door-01', 'heartbeat'), JSON.stringify({ ...msg, id: 'hb-2', seq: 5 }));
    await waitFor(() => (h.gw.monitor.get('door-01')?.seqGaps ?? 0) === 1, 'one gap');
    expect(h.gw.monitor.get('door-01')?.duplicates).toBe(1);
  });

  it('commands: ack done, rejected, timeout, unsupported', async () => {
    const d = await device();
    await d.birth(DOOR_CAPS);
    await waitFor(() => status() === 'ok', 'ok');
    d.client.on('message', (topic, payload) => {
      if (!topic.endsWith('/down/command')) return;
      const cmd = CommandMessageSchema.parse(JSON.parse(payload.toString()));
      if (cmd.body.name === 'ping')
        void d.send('ack', 'ack', { status: 'done', result: { pong: true } }, { corr: cmd.id });
      if (cmd.body.name === 'unlock_door')
        void d.send('ack', 'ack', { status: 'rejected', reason: 'E_NO_SUCH_DOOR' }, { corr: cmd.id });
      if (cmd.body.name === 'set_heartbeat') void d.send('ack', 'ack', { status: 'done' }, { corr: cmd.id });
    });
    const ping = await h.api('/api/v1/devices/door-01/commands', { method: 'POST', body: { name: 'ping' } });
    expect(ping.status).toBe(200);
    expect(ping.body).toMatchObject({ status: 'done', result: { pong: true } });
    const unlock = await h.api('/api/v1/devices/door-01/commands', {
      method: 'POST',
      body: { name: 'unlock_door', args: { door: 'side' } },
    });
    expect(unlock.status).toBe(422);
    expect(unlock.body.error).toMatchObject({ code: 'COMMAND_REJECTED', details: { reason: 'E_NO_SUCH_DOOR' } });
    const slow = await h.api('/api/v1/devices/door-01/commands', {
      method: 'POST',
      body: { name: 'identify', args: {}, timeoutMs: 200 },
    });
    expect(slow.status).toBe(504);
    expect(slow.body.error.code).toBe('COMMAND_TIMEOUT');
    expect(
      (
        await h.api('/api/v1/devices/door-01/commands', {
          method: 'POST',
          body: { name: 'set_heartbeat', args: { intervalS: 600 } },
        })
      ).status,
    ).toBe(200);
    expect(h.gw.monitor.get('door-01')?.heartbeatS).toBe(600); // heartbeat timeouts now follow the new interval
    const wrong = await h.api('/api/v1/devices/door-01/commands', {
      method: 'POST',
      body: { name: 'open_compartment', args: { compartment: '1' } },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('COMMAND_NOT_SUPPORTED');
    const badArgs = await h.api('/api/v1/devices/door-01/commands', {
      method: 'POST',
      body: { name: 'unlock_door', args: { door: 'main', pulseMs: 5 } },
    });
    expect(badArgs.body.error.code).toBe('VALIDATION_FAILED');
    expect(badArgs.body.error.message).toMatch(/args\.pulseMs/);
  });

  it('disabling or rotating disconnects the device at once and it cannot come back with the old secret', async () => {
    const d = await device();
    await d.birth(DOOR_CAPS);
    await waitFor(() => status() === 'ok', 'ok');
    const closed = new Promise((r) => d.client.once('close', () => r(undefined)));
    expect((await h.api('/api/v1/devices/door-01/rotate-secret', { method: 'POST' })).status).toBe(200);
    await closed;
    await expect(
      connectRaw(h.mqttUrl, { clientId: 'door-01', username: 'door-01', password: secret }),
    ).rejects.toThrow();
    const fresh = (await h.gw.devices.rotateSecret('door-01')).secret;
    const again = await connectRaw(h.mqttUrl, { clientId: 'door-01', username: 'door-01', password: fresh });
    const closed2 = new Promise((r) => again.once('close', () => r(undefined)));
    expect((await h.api('/api/v1/devices/door-01/disable', { method: 'POST' })).body.disabled).toBe(true);
    await closed2;
    again.end(true);
    await expect(
      connectRaw(h.mqttUrl, { clientId: 'door-01', username: 'door-01', password: fresh }),
    ).rejects.toThrow();
    expect(status()).toBe('offline');
  });

  it(
    'devices provisioned, rotated or disabled by another process ' + '(the CLI) take effect in the running gateway',
    async () => {
      const other = new Store(h.dataDir);
      try {
        const svc = new DeviceService(other.devices, new ImmediateWriter(other.db), systemClock, silentLogger());
        const { secret: s2 } = await svc.provision({ id: 'door-02', kind: 'door_reader' });
        const d = await new RawDevice('door-02', 'door_reader', s2).connect(h.mqttUrl);
        devices.push(d);
        await d.birth(DOOR_CAPS);
        await waitFor(
          () => h.gw.monitor.get('door-02')?.verdict.status === 'ok',
          'a CLI-provisioned device is accepted at once',
        );
        const closed = new Promise((r) => d.client.once('close', () => r(undefined)));
        await svc.rotateSecret('door-02');
        await closed; // the registry watcher noticed within a second and kicked the old session
        await expect(
          connectRaw(h.mqttUrl, { clientId: 'door-02', username: 'door-02', password: s2 }),
        ).rejects.toThrow();
      } finally {
        other.close();
      }
    },
  );

  it('a device deleted by another process is forgotten and its retained state cleared', async () => {
    const published: { topic: string; bytes: number; retain: boolean }[] = [];
    const original = h.gw.broker.publish.bind(h.gw.broker);
    h.gw.broker.publish = (topic, payload, opts) => {
      published.push({ topic, bytes: Buffer.byteLength(payload), retain: opts.retain });
      return original(topic, payload, opts);
    };
    const other = new Store(h.dataDir);
    try {
      other.devices.remove('door-01');
    } finally {
      other.close();
    }
    await waitFor(() => h.gw.monitor.get('door-01') === undefined, 'forgotten');
    await waitFor(
      () => published.some((p) => p.topic === topics.deviceState('door-01') && p.bytes === 0 && p.retain),
      'retained state cleared',
    );
  });
});
