import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { generateTestPki, type TestPki } from '../support/tls.ts';
import { BrokerHarness, secretOf, until } from './harness.ts';
import { RawConnection } from './raw-mqtt.ts';

/** The TLS listener, with a throw-away CA made by openssl; never skipped. */
describe('TLS listener', () => {
  let pki: TestPki;
  let h: BrokerHarness | undefined;
  beforeAll(() => {
    pki = generateTestPki();
  });
  afterAll(() => pki?.cleanup());
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const start = (requireClientCert: boolean) =>
    new BrokerHarness({
      tls: {
        enabled: true,
        host: '127.0.0.1',
        port: 0,
        certFile: pki.serverCertFile,
        keyFile: pki.serverKeyFile,
        caFile: pki.caFile,
        requestClientCert: requireClientCert,
        requireClientCert,
      },
    }).start();
  const device = (hh: BrokerHarness, extra: object) =>
    hh.connect(
      { clientId: 'locker-01', username: 'locker-01', password: secretOf('locker-01'), ca: pki.ca, ...extra },
      `mqtts://127.0.0.1:${hh.tlsPort}`,
    );

  it('listens on its own ephemeral port next to plain TCP; a device authenticates as usual over it', async () => {
    h = await start(false);
    expect(h.tlsPort).toBeGreaterThan(0);
    expect(h.tlsPort).not.toBe(h.port);
    const inbox = await h.inbox(topics.allUplinks());
    const c = await device(h, {});
    await c.publishAsync(topics.up('locker-01', 'birth'), '{}', { qos: 1 });
    await inbox.next();
    expect(await h.presenceEvent((e) => e.type === 'connected')).toMatchObject({ deviceId: 'locker-01' });
  });

  it('with requireClientCert, a client certificate signed by the CA is accepted', async () => {
    h = await start(true);
    await device(h, { cert: pki.client.cert, key: pki.client.key });
    expect(h.broker.isConnected('locker-01')).toBe(true);
  });

  it('with requireClientCert, a client without a certificate is refused at the handshake', async () => {
    h = await start(true);
    await expect(device(h, {})).rejects.toThrow();
    expect(h.broker.isConnected('locker-01')).toBe(false);
    expect(h.registry.calls).toBe(0);
  });

  it('with requireClientCert, a certificate from another CA is refused', async () => {
    h = await start(true);
    await expect(device(h, { cert: pki.rogue.cert, key: pki.rogue.key })).rejects.toThrow();
    expect(h.registry.calls).toBe(0);
  });

  it(
    'a TLS handshake takes a pending place: ' + 'idle sockets on the TLS port count against pendingPerAddress',
    async () => {
      h = await new BrokerHarness({
        pendingPerAddress: 2,
        pendingTotal: 4,
        connectTimeoutMs: 60_000,
        tls: {
          enabled: true,
          host: '127.0.0.1',
          port: 0,
          certFile: pki.serverCertFile,
          keyFile: pki.serverKeyFile,
          requestClientCert: false,
          requireClientCert: false,
        },
      }).start();
      const tlsPort = h.tlsPort ?? 0;
      const idle = [await RawConnection.open(tlsPort), await RawConnection.open(tlsPort)];
      const third = await RawConnection.open(tlsPort);
      await third.closed;
      // the same address on the plain port shares the budget
      const plain = await RawConnection.open(h.port);
      await plain.closed;
      expect(h.broker.stats()).toMatchObject({ pendingRefused: 2, pending: 2, connections: 0 });
      expect(idle.some((c) => c.isClosed)).toBe(false);
      // an abandoned handshake gives its place back
      idle[0]?.destroy();
      await until(() => h?.broker.stats().pending === 1, 'the abandoned handshake’s place');
      const c = await device(h, {});
      expect(h.broker.isConnected('locker-01')).toBe(true);
      c.end(true);
    },
  );

  it('a missing certificate file stops start() with the setting and path', async () => {
    const bad = new BrokerHarness({
      tls: {
        enabled: true,
        host: '127.0.0.1',
        port: 0,
        certFile: '/nonexistent/server.crt',
        keyFile: pki.serverKeyFile,
        requestClientCert: false,
        requireClientCert: false,
      },
    });
    await expect(bad.start()).rejects.toThrow('mqtt.tls.certFile: cannot read /nonexistent/server.crt');
    await bad.stop();
  });
});
