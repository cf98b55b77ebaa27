import { once } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { caFingerprint, ensureLocalTls } from '../../gateway/security/local-ca.ts';
import { connectRaw, startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { freePort } from '../support/free-port.ts';
import { tempDir } from '../support/tmp.ts';

const DAY = 86_400_000;

/** The gateway as shipped (TLS with its own CA, plain MQTT off), on loopback ephemeral ports. */
const secureByDefault = { mqtt: { plaintext: false, tls: { host: '127.0.0.1', port: 0 } } };

function refusedOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

/** The serial number of the certificate the TLS listener serves now. */
async function servedSerial(port: number, ca: Buffer): Promise<string> {
  const s = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
  await once(s, 'secureConnect');
  const serial = s.getPeerCertificate().serialNumber;
  s.destroy();
  return serial;
}

let h: Harness | undefined;
const clients: MqttClient[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.end(true);
  await h?.stop();
  h = undefined;
  for (const c of cleanups.splice(0)) c();
});

async function device(hh: Harness, id: string, ca: Buffer): Promise<MqttClient> {
  const { secret } = await hh.gw.devices.provision({ id, kind: 'door_reader' });
  const c = await connectRaw(`mqtts://127.0.0.1:${hh.endpoints.mqttTlsPort}`, {
    clientId: id,
    username: id,
    password: secret,
    ca,
  });
  clients.push(c);
  return c;
}

describe('the gateway secure by default', () => {
  it('serves MQTT over TLS with its own CA: a device trusting it connects, one with another is refused', async () => {
    h = await startGateway(secureByDefault);
    const tls = h.gw.tls?.current;
    expect(tls?.issued).toEqual({ ca: 'missing', server: 'missing' });
    expect(h.endpoints.mqttPort).toBeUndefined();
    expect(h.endpoints.mqttTlsPort).toBeGreaterThan(0);
    const ca = tls?.ca ?? Buffer.alloc(0);
    await device(h, 'door-01', ca);
    expect(h.gw.broker.isConnected('door-01')).toBe(true);

    const elsewhere = tempDir('linli-ca-');
    cleanups.push(elsewhere.cleanup);
    const rogue = await ensureLocalTls({
      dataDir: elsewhere.dir,
      gatewayId: 'gw-other',
      now: Date.now(),
      names: ['localhost'],
      renewBeforeDays: 30,
    });
    const { secret } = await h.gw.devices.provision({ id: 'door-02', kind: 'door_reader' });
    await expect(
      connectRaw(`mqtts://127.0.0.1:${h.endpoints.mqttTlsPort}`, {
        clientId: 'door-02',
        username: 'door-02',
        password: secret,
        ca: rogue.ca,
      }),
    ).rejects.toThrow(/self-signed|unable to verify|certificate/i);
    expect(h.gw.broker.isConnected('door-02')).toBe(false);

    // the console's setup QR code [FWP-1.3] gets the CA's fingerprint from the API
    const api = await h.api('/api/v1/devices', { method: 'POST', body: { id: 'door-03', kind: 'door_reader' } });
    expect(api.status).toBe(201);
    expect(api.body.caSha256).toBe(caFingerprint(ca));
    const rotated = await h.api('/api/v1/devices/door-03/rotate-secret', { method: 'POST' });
    expect(rotated.body.caSha256).toBe(caFingerprint(ca));
  });

  it('a second start on the same data folder reuses the CA and the server certificate', async () => {
    const first = await startGateway(secureByDefault);
    // a second gateway on the first one's config, so on its data folder
    const firstState = first.gw.tls?.current;
    const firstDir = first.dataDir;
    await first.gw.stop();
    const { Gateway } = await import('../../gateway/app.ts');
    const { silentLogger } = await import('../../gateway/core/log.ts');
    const again = new Gateway(first.gw.config, silentLogger());
    await again.start();
    try {
      expect(again.config.dataDir).toBe(firstDir);
      expect(again.tls?.current?.issued).toEqual({});
      expect(again.tls?.current?.ca.equals(firstState?.ca ?? Buffer.alloc(0))).toBe(true);
      expect(again.tls?.current?.cert.equals(firstState?.cert ?? Buffer.alloc(0))).toBe(true);
    } finally {
      await again.stop();
      await first.stop();
    }
  });

  it('plain MQTT is off by default (its port does not listen) and on when opted into', async () => {
    const port = await freePort();
    h = await startGateway({ mqtt: { plaintext: false, port, tls: { host: '127.0.0.1', port: 0 } } });
    expect(await refusedOn(port)).toBe(true);
    await h.stop();
    h = await startGateway({ mqtt: { plaintext: true, port, tls: { host: '127.0.0.1', port: 0 } } });
    expect(h.endpoints.mqttPort).toBe(port);
    expect(await refusedOn(port)).toBe(false);
  });

  it(
    'renews the certificate on the daily check once fewer than 30 days remain: new handshakes get it, ' +
      'an open connection keeps going, a device trusting the CA still connects',
    async () => {
      // started 340 days ago, so that a year's certificate has 25 days left today: both are valid on the wire
      const clock = new ManualClock(Date.now() - 340 * DAY);
      h = await startGateway(secureByDefault, { clock });
      const tls = h.gw.tls;
      const ca = tls?.current?.ca ?? Buffer.alloc(0);
      const port = h.endpoints.mqttTlsPort ?? 0;
      const before = await servedSerial(port, ca);
      const old = await device(h, 'door-01', ca);
      const heard: string[] = [];
      await h.gw.broker.subscribe(topics.up('door-01', 'event'), (m) => heard.push(m.payload.toString()));

      clock.advance(DAY); // a day later: the daily check finds nothing due
      await tls?.settled();
      expect(tls?.current?.issued).toEqual({});
      expect(await servedSerial(port, ca)).toBe(before);

      clock.advance(339 * DAY);
      await tls?.settled();
      expect(tls?.current?.issued).toEqual({ server: 'expiring' });
      expect(tls?.current?.ca.equals(ca)).toBe(true);
      const after = await servedSerial(port, ca);
      expect(after).not.toBe(before);
      expect((tls?.current?.serverNotAfter ?? 0) - Date.now()).toBeGreaterThan(360 * DAY);

      expect(old.connected).toBe(true);
      await old.publishAsync(topics.up('door-01', 'event'), '{"still":"here"}', { qos: 1 });
      await waitFor(() => heard.length === 1, 'the old connection’s message');
      await device(h, 'door-02', ca);
      expect(h.gw.broker.isConnected('door-02')).toBe(true);
    },
  );
});
