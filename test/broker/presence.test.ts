import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PresenceEvent } from '../../broker/src/types.ts';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { BrokerHarness, withTimeout } from './harness.ts';
import { connectPacket, RawConnection } from './raw-mqtt.ts';

const of = (h: BrokerHarness, id: string) => h.presence.filter((e) => e.deviceId === id);
const summary = (events: PresenceEvent[]) =>
  events.map((e) => (e.type === 'connected' ? `+${e.connectionId}` : `-${e.connectionId}:${e.reason}`));

describe('device presence', () => {
  let h: BrokerHarness;
  beforeEach(async () => {
    h = await new BrokerHarness().start();
  });
  afterEach(() => h.stop());

  it(
    'connected after authentication, with address and connection id; ' + 'clean when the device sends DISCONNECT',
    async () => {
      const c = await h.connectDevice('locker-01');
      const connected = await h.presenceEvent((e) => e.type === 'connected');
      expect(connected).toMatchObject({
        type: 'connected',
        deviceId: 'locker-01',
        address: '127.0.0.1',
        at: h.clock.now(),
      });
      expect(h.broker.isConnected('locker-01')).toBe(true);
      expect(h.broker.stats()).toMatchObject({ connections: 1, devicesConnected: 1 });
      await c.endAsync();
      const gone = await h.presenceEvent((e) => e.type === 'disconnected');
      expect(gone).toMatchObject({ deviceId: 'locker-01', connectionId: connected.connectionId, reason: 'clean' });
      expect(h.broker.isConnected('locker-01')).toBe(false);
      expect(h.broker.stats().devicesConnected).toBe(0);
    },
  );

  it('lost when the connection drops without DISCONNECT', async () => {
    const c = await h.connectDevice('vm-01');
    c.stream.destroy();
    expect(await h.presenceEvent((e) => e.type === 'disconnected')).toMatchObject({
      deviceId: 'vm-01',
      reason: 'lost',
    });
  });

  it('kick() closes the device at once, with reason kicked; unknown devices are not kicked', async () => {
    const c = await h.connectDevice('door-01');
    expect(h.broker.kick('door-01', 'secret rotated')).toBe(true);
    expect(h.broker.isConnected('door-01')).toBe(false);
    await h.closed(c);
    expect(await h.presenceEvent((e) => e.type === 'disconnected')).toMatchObject({
      deviceId: 'door-01',
      reason: 'kicked',
    });
    expect(h.broker.kick('door-01')).toBe(false);
    expect(h.broker.kick('nobody')).toBe(false);
  });

  it('kick() during authentication refuses the connection when its check returns', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const check = h.registry.checkDevice.bind(h.registry);
    h.registry.checkDevice = async (id, secret) => {
      await gate;
      return check(id, secret);
    };
    const refused = h.refusal(h.deviceOptions('scan-01'));
    await withTimeout(
      (async () => {
        while (h.registry.calls === 0 && !h.broker.kick('scan-01')) await new Promise((r) => setImmediate(r));
      })(),
      'the connection to start authenticating',
    );
    release();
    expect(await refused).toBe(5);
    expect(h.presence).toEqual([]);
  });

  it(
    'takeover: the newest connection wins; ' + 'the newcomer is announced before the old one leaves as taken_over',
    async () => {
      const first = await h.connectDevice('locker-01');
      const second = await h.connectDevice('locker-01');
      await h.closed(first);
      await h.presenceEvent((e) => e.type === 'disconnected');
      const [a, b] = h.presence.filter((e) => e.type === 'connected').map((e) => e.connectionId);
      expect(b).toBeGreaterThan(a ?? Infinity);
      expect(summary(of(h, 'locker-01'))).toEqual([`+${a}`, `+${b}`, `-${a}:taken_over`]);
      expect(h.broker.isConnected('locker-01')).toBe(true);
      expect(h.broker.stats()).toMatchObject({ takeovers: 1, devicesConnected: 1 });
      // the survivor is fully working
      const got = new Promise<string>((r) => second.once('message', (_t, p) => r(p.toString())));
      await second.subscribeAsync(topics.deviceDownlinks('locker-01'), { qos: 1 });
      await h.broker.publish(topics.down('locker-01', 'command'), 'still here', { qos: 1, retain: false });
      expect(await withTimeout(got, 'command')).toBe('still here');
    },
  );

  it('warns that two devices may share credentials when one id is taken over more than 3 times a minute', async () => {
    for (let i = 0; i < 4; i++) await h.connectDevice('vm-01');
    await h.presenceEvent((e) => e.type === 'disconnected' && e.connectionId === 3);
    expect(h.warnings()).not.toContain(
      'two devices may share credentials: the same device id keeps replacing its own connection',
    );
    await h.connectDevice('vm-01');
    await h.presenceEvent((e) => e.type === 'disconnected' && e.connectionId === 4);
    expect(h.broker.stats().takeovers).toBe(4);
    expect(h.warnings()).toContain(
      'two devices may share credentials: the same device id keeps replacing its own connection',
    );
    expect(summary(of(h, 'vm-01')).filter((s) => s.startsWith('-'))).toEqual([
      '-1:taken_over',
      '-2:taken_over',
      '-3:taken_over',
      '-4:taken_over',
    ]);
  });

  it('keepalive_timeout when nothing arrives for 1.5 × keepalive [MQTT-3.1.2-24]', async () => {
    const raw = await RawConnection.open(h.port);
    raw.write(connectPacket({ clientId: 'door-01', username: 'door-01', password: 'secret-of-door-01', keepalive: 1 }));
    expect(await raw.connack()).toBe(0);
    expect(await h.presenceEvent((e) => e.type === 'disconnected')).toMatchObject({
      deviceId: 'door-01',
      reason: 'keepalive_timeout',
    });
    await withTimeout(raw.closed, 'close after keepalive timeout');
  });

  it('a throwing presence listener is logged and changes nothing', async () => {
    h.presenceThrows = true;
    const c = await h.connectDevice('locker-01');
    await c.publishAsync(topics.up('locker-01', 'heartbeat'), '{}', { qos: 1 });
    c.stream.destroy();
    await h.presenceEvent((e) => e.type === 'disconnected');
    expect(h.logs.filter((l) => l.msg === 'presence listener failed')).toHaveLength(2);
    await h.connectDevice('locker-01');
  });

  it(
    'stop() closes every client with broker_stopping, without publishing their wills; ' + 'does not hang; idempotent',
    async () => {
      const inbox = await h.inbox(topics.allUplinks());
      const will = (id: string) => ({
        will: { topic: topics.up(id, 'death'), payload: Buffer.from('{}'), qos: 1 as const, retain: false },
      });
      const clients = await Promise.all(['locker-01', 'vm-01', 'door-01'].map((id) => h.connectDevice(id, will(id))));
      const raw = await RawConnection.open(h.port); // connected, never sent CONNECT
      await withTimeout(Promise.all([h.broker.stop(), h.broker.stop()]), 'stop', 2000);
      await Promise.all(clients.map((c) => h.closed(c)));
      await withTimeout(raw.closed, 'raw close');
      expect(
        h.presence.filter((e) => e.type === 'disconnected').map((e) => e.type === 'disconnected' && e.reason),
      ).toEqual(['broker_stopping', 'broker_stopping', 'broker_stopping']);
      expect(inbox.messages).toEqual([]);
      await expect(h.broker.publish('x', 'y', { qos: 0, retain: false })).rejects.toThrow('not running');
      await h.broker.stop();
    },
  );
});
