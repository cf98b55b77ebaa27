import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { BrokerHarness, nextMessage, until } from './harness.ts';

/** What the gateway itself uses: publish, subscribe, stats, and the lifecycle. */
describe('LinliBroker: the gateway-side API', () => {
  let h: BrokerHarness;
  afterEach(() => h.stop());

  it('start() returns the bound ephemeral port; no TLS port unless enabled', async () => {
    h = new BrokerHarness();
    const ports = await h.broker.start();
    expect(ports.port).toBeGreaterThan(0);
    expect(ports).not.toHaveProperty('tlsPort');
    await expect(h.broker.start()).rejects.toThrow('cannot start');
  });

  it('internal subscribe receives publishes, from devices and from the gateway, until unsubscribed', async () => {
    h = await new BrokerHarness().start();
    const got: string[] = [];
    const unsubscribe = await h.broker.subscribe('linli/+/dev/+/up/+', (m) =>
      got.push(`${m.topic}=${m.payload.toString()}`),
    );
    const c = await h.connectDevice('locker-01');
    await c.publishAsync(topics.up('locker-01', 'event'), 'from-device', { qos: 1 });
    await h.broker.publish(topics.up('vm-01', 'event'), Buffer.from('from-gateway'), { qos: 0, retain: false });
    await h.broker.publish(topics.up('vm-01', 'event'), 'as-string', { qos: 1, retain: false });
    expect(got).toContain(`${topics.up('vm-01', 'event')}=from-gateway`);
    expect(got).toContain(`${topics.up('vm-01', 'event')}=as-string`);
    await unsubscribe();
    await unsubscribe(); // idempotent
    await h.broker.publish(topics.up('vm-01', 'event'), 'after', { qos: 1, retain: false });
    expect(got.some((g) => g.endsWith('=after'))).toBe(false);
    expect(got).toContain(`${topics.up('locker-01', 'event')}=from-device`);
  });

  it('a throwing or rejecting handler is logged; delivery to it and to others goes on', async () => {
    h = await new BrokerHarness().start();
    const seen: string[] = [];
    await h.broker.subscribe('t/#', (m) => {
      seen.push(m.topic);
      throw new Error('handler bug');
    });
    await h.broker.subscribe('t/#', (async () => {
      throw new Error('async handler bug');
    }) as () => void);
    const c = await h.connect({ clientId: 'locker-01', username: 'locker-01', password: 'secret-of-locker-01' });
    await c.subscribeAsync(topics.gatewayState(), { qos: 1 });
    await h.broker.publish('t/1', 'a', { qos: 1, retain: false });
    await h.broker.publish('t/2', 'b', { qos: 1, retain: false });
    const state = nextMessage(c, topics.gatewayState());
    await h.broker.publish(topics.gatewayState(), 'online', { qos: 1, retain: false });
    await state;
    expect(seen).toEqual(['t/1', 't/2']);
    expect(h.logs.filter((l) => l.msg === 'internal subscriber failed')).toHaveLength(4);
  });

  it('a retained gateway publish reaches devices that subscribe later [FWP-3.4]', async () => {
    h = await new BrokerHarness().start();
    await h.broker.publish(topics.gatewayState(), '{"state":"online"}', { qos: 1, retain: true });
    const c = await h.connectDevice('door-01');
    const got = nextMessage(c, topics.gatewayState());
    await c.subscribeAsync(topics.gatewayState(), { qos: 1 });
    expect((await got).toString()).toBe('{"state":"online"}');
  });

  it('stats() reports gauges and counters', async () => {
    h = await new BrokerHarness().start();
    expect(h.broker.stats()).toEqual({
      connections: 0,
      devicesConnected: 0,
      pending: 0,
      authFailures: 0,
      lockedOut: 0,
      rateLimited: 0,
      refusedPublishes: 0,
      refusedSubscribes: 0,
      oversized: 0,
      takeovers: 0,
      slowConsumers: 0,
      pendingRefused: 0,
      preAuthTimeouts: 0,
    });
    await h.connectDevice('locker-01');
    await h.refusal(h.deviceOptions('vm-01', { password: 'nope' }));
    await until(() => h.broker.stats().connections === 1, 'the refused socket to close');
    expect(h.broker.stats()).toMatchObject({ connections: 1, devicesConnected: 1, pending: 0, authFailures: 1 });
  });

  it('stop() before start() and publish()/subscribe() on a stopped broker', async () => {
    h = new BrokerHarness();
    await h.broker.stop();
    await expect(h.broker.publish('x', 'y', { qos: 0, retain: false })).rejects.toThrow('not running');
    await expect(h.broker.subscribe('x', () => undefined)).rejects.toThrow('not running');
    await expect(h.broker.start()).rejects.toThrow('cannot start');
    expect(h.broker.isConnected('locker-01')).toBe(false);
    expect(h.broker.kick('locker-01')).toBe(false);
  });

  it('a port in use fails start() and releases everything', async () => {
    const first = await new BrokerHarness().start();
    try {
      h = new BrokerHarness({ port: first.port });
      await expect(h.broker.start()).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.stop();
    }
  });
});
