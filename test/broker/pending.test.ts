import { afterEach, describe, expect, it } from 'vitest';
import { BrokerHarness, secretOf, until } from './harness.ts';
import { connectPacket, RawConnection } from './raw-mqtt.ts';

/** A device's CONNECT, as firmware sends it. */
const deviceConnect = (id: string) => connectPacket({ clientId: id, username: id, password: secretOf(id) });

/** `n` TCP connections from `from` that never send anything. */
const idleSockets = (h: BrokerHarness, n: number, from: string) =>
  Promise.all(Array.from({ length: n }, () => RawConnection.open(h.port, from)));

const closedCount = (conns: RawConnection[]) => conns.filter((c) => c.isClosed).length;

describe('connections not yet authenticated: bounded per address and in total', () => {
  let h: BrokerHarness;
  afterEach(() => h.stop());

  it(
    '400 idle sockets from one address never keep out a device from another: ' +
      'all but pendingPerAddress closed at accept',
    async () => {
      // maxConnections small, so that the flood is larger than any listener-level cap
      h = await new BrokerHarness({
        maxConnections: 100,
        pendingPerAddress: 16,
        pendingTotal: 256,
        connectTimeoutMs: 60_000,
      }).start();
      const idle = await idleSockets(h, 400, '127.0.0.1');
      await until(() => closedCount(idle) === 384, '384 idle sockets to be closed at accept');
      expect(h.broker.stats()).toMatchObject({ connections: 16, pendingRefused: 384, preAuthTimeouts: 0 });

      const device = await RawConnection.open(h.port, '127.0.0.2');
      device.write(deviceConnect('locker-01'));
      expect(await device.connack()).toBe(0);
      // at once: the idle sockets are all still waiting for their own (one-minute) deadline
      expect(closedCount(idle)).toBe(384);
      expect(h.broker.isConnected('locker-01')).toBe(true);
      // one line per refused socket would be 384 lines: a few, then a count
      expect(h.warnings().filter((m) => m.startsWith('connection closed at once'))).toHaveLength(5);
    },
  );

  it(
    'closes sockets that are not authenticated within connectTimeoutMs: ' + 'idle, or stuck in the credential check',
    async () => {
      h = await new BrokerHarness({ pendingPerAddress: 16, pendingTotal: 256, connectTimeoutMs: 500 }).start();
      const idle = await idleSockets(h, 20, '127.0.0.1');
      h.registry.checkDevice = () => new Promise(() => undefined); // never answers
      const hanging = await RawConnection.open(h.port, '127.0.0.3');
      hanging.write(deviceConnect('vm-01'));
      await Promise.all([...idle.map((c) => c.closed), hanging.closed]);
      expect(hanging.receivedBytes).toBe(0); // no CONNACK: the check never decided
      expect(h.broker.stats()).toMatchObject({ connections: 0, pendingRefused: 4, preAuthTimeouts: 17 });
      expect(h.warnings()).toContain('not authenticated within 500 ms; closing the connection');
    },
  );

  it('pendingTotal bounds a flood spread over addresses; a place freed is usable at once', async () => {
    h = await new BrokerHarness({ pendingPerAddress: 4, pendingTotal: 8, connectTimeoutMs: 60_000 }).start();
    const idle = [...(await idleSockets(h, 4, '127.0.0.1')), ...(await idleSockets(h, 4, '127.0.0.3'))];
    await until(() => h.broker.stats().connections === 8, 'eight pending connections');
    const refused = await RawConnection.open(h.port, '127.0.0.2');
    await refused.closed;
    expect(h.broker.stats().pendingRefused).toBe(1);
    idle[0]?.destroy();
    await until(() => h.broker.stats().connections === 7, 'the freed place');
    const device = await RawConnection.open(h.port, '127.0.0.2');
    device.write(deviceConnect('door-01'));
    expect(await device.connack()).toBe(0);
  });

  it(
    'an authenticated connection no longer counts: ' + 'more devices than pendingPerAddress from one address connect',
    async () => {
      h = await new BrokerHarness({ pendingPerAddress: 2, pendingTotal: 4 }).start();
      for (const id of ['locker-01', 'vm-01', 'door-01', 'scan-01']) await h.connectDevice(id);
      expect(h.broker.stats()).toMatchObject({ devicesConnected: 4, pendingRefused: 0 });
    },
  );

  it('refuses a configuration where one address could take every pending place', () => {
    expect(() => new BrokerHarness({ pendingPerAddress: 8, pendingTotal: 8 })).toThrow(
      'pendingPerAddress must be less than pendingTotal',
    );
  });
});
