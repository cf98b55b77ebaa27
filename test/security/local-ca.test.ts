import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema, MqttConfigSchema } from '../../gateway/config/schema.ts';
import { caFingerprint, covers, ensureLocalTls } from '../../gateway/security/local-ca.ts';
import { serverNames, type HostIdentity } from '../../gateway/security/server-names.ts';
import { tlsPaths } from '../../gateway/security/tls-paths.ts';
import { tempDir } from '../support/tmp.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1, 8, 0, 0);

const nic = (address: string, internal = false): NetworkInterfaceInfo =>
  ({
    address,
    internal,
    family: address.includes(':') ? 'IPv6' : 'IPv4',
    netmask: '',
    mac: '00:00:00:00:00:00',
    cidr: null,
    ...(address.includes(':') ? { scopeid: 0 } : {}),
  }) as NetworkInterfaceInfo;

const box = (addresses: string[]): HostIdentity => ({
  hostname: () => 'Linli-Box',
  networkInterfaces: () => ({
    lo: [nic('127.0.0.1', true), nic('::1', true)],
    eth0: addresses.map((a) => nic(a)),
  }),
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function dataDir(): string {
  const t = tempDir('linli-ca-');
  cleanups.push(t.cleanup);
  return t.dir;
}

const ensure = (dir: string, names: string[], now = NOW, renewBeforeDays = 30) =>
  ensureLocalTls({ dataDir: dir, gatewayId: 'gw-test-01', now, names, renewBeforeDays });

describe('serverNames', () => {
  it('names the host (and its mDNS name), localhost, loopback, every non-internal address, the advertised', () => {
    const names = serverNames(box(['192.168.1.20', 'fe80::1c2:3ff:fe04:506']), ['gw.example.cn', '203.0.113.7']);
    expect(names).toEqual([
      'linli-box',
      'linli-box.local',
      'localhost',
      '127.0.0.1',
      '::1',
      '192.168.1.20',
      'fe80::1c2:3ff:fe04:506',
      'gw.example.cn',
      '203.0.113.7',
    ]);
  });
});

describe('ensureLocalTls', () => {
  const names = serverNames(box(['192.168.1.20', 'fd00::20']), ['gw.example.cn']);

  it('first start: a 10-year CA naming the gateway, a ~1-year server certificate, keys 0600, folder 0700', async () => {
    const dir = dataDir();
    const s = await ensure(dir, names);
    expect(s.issued).toEqual({ ca: 'missing', server: 'missing' });
    const p = tlsPaths(dir);
    expect(statSync(p.dir).mode & 0o777).toBe(0o700);
    expect(statSync(p.caKey).mode & 0o777).toBe(0o600);
    expect(statSync(p.serverKey).mode & 0o777).toBe(0o600);
    const ca = new X509Certificate(readFileSync(p.caCert));
    const server = new X509Certificate(readFileSync(p.serverCert));
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('gw-test-01');
    expect(ca.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
    expect(server.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
    expect(Date.parse(ca.validTo) - NOW).toBeGreaterThan(3649 * DAY);
    const serverDays = (Date.parse(server.validTo) - NOW) / DAY;
    expect(serverDays).toBeGreaterThan(360);
    expect(serverDays).toBeLessThanOrEqual(398);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    for (const n of names) expect(covers(server, n), n).toBe(true);
    expect(covers(server, '192.168.1.99')).toBe(false);
    expect(s.ca.toString()).toBe(readFileSync(p.caCert, 'utf8'));
    expect(caFingerprint(s.ca)).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('a second start reuses both, byte for byte', async () => {
    const dir = dataDir();
    const first = await ensure(dir, names);
    const second = await ensure(dir, names, NOW + DAY);
    expect(second.issued).toEqual({});
    expect(second.ca.equals(first.ca)).toBe(true);
    expect(second.cert.equals(first.cert)).toBe(true);
    expect(second.key.equals(first.key)).toBe(true);
  });

  it('an address the certificate does not cover gets a new server certificate from the same CA', async () => {
    const dir = dataDir();
    const first = await ensure(dir, names);
    const moved = serverNames(box(['10.0.8.31']), []);
    const s = await ensure(dir, moved, NOW + DAY);
    expect(s.issued).toEqual({ server: 'uncovered' });
    expect(s.uncovered).toEqual(['10.0.8.31']);
    expect(s.ca.equals(first.ca)).toBe(true);
    expect(covers(new X509Certificate(s.cert), '10.0.8.31')).toBe(true);
  });

  it('renews the server certificate when fewer than renewBeforeDays remain, keeping the CA', async () => {
    const dir = dataDir();
    const first = await ensure(dir, names);
    const notAfter = Date.parse(new X509Certificate(first.cert).validTo);
    expect((await ensure(dir, names, notAfter - 31 * DAY)).issued).toEqual({});
    const s = await ensure(dir, names, notAfter - 29 * DAY);
    expect(s.issued).toEqual({ server: 'expiring' });
    expect(s.ca.equals(first.ca)).toBe(true);
    expect(s.serverNotAfter).toBeGreaterThan(notAfter + 300 * DAY);
    // the renewal window is the config's
    const other = dataDir();
    const o = await ensure(other, names);
    expect((await ensure(other, names, o.serverNotAfter - 89 * DAY, 90)).issued).toEqual({ server: 'expiring' });
  });

  it('a CA near its end is replaced and the server certificate reissued under it; none outlives its CA', async () => {
    const dir = dataDir();
    const first = await ensure(dir, names);
    const late = first.caNotAfter - 10 * DAY;
    const s = await ensure(dir, names, late);
    expect(s.issued).toEqual({ ca: 'expiring', server: 'new_ca' });
    expect(s.ca.equals(first.ca)).toBe(false);
    expect(new X509Certificate(s.cert).verify(new X509Certificate(s.ca).publicKey)).toBe(true);
    for (const st of [first, s]) expect(st.serverNotAfter).toBeLessThanOrEqual(st.caNotAfter);
  });

  it('a key that does not match its certificate is made again, not served', async () => {
    const dir = dataDir();
    const first = await ensure(dir, names);
    const other = await ensure(dataDir(), names);
    writeFileSync(tlsPaths(dir).serverKey, other.key, { mode: 0o600 });
    const s = await ensure(dir, names, NOW + DAY);
    expect(s.issued).toEqual({ server: 'unreadable' });
    expect(s.ca.equals(first.ca)).toBe(true);
    expect(new X509Certificate(s.cert).checkPrivateKey(createPrivateKey(s.key))).toBe(true);
  });
});

describe('mqtt config', () => {
  it('TLS is on and plain MQTT off by default', () => {
    const m = ConfigSchema.parse({}).mqtt;
    expect(m.plaintext).toBe(false);
    expect(m.tls).toMatchObject({ enabled: true, port: 8883, advertisedHosts: [], renewBeforeDays: 30 });
    expect(m.tls.certFile).toBeUndefined();
  });

  it('refuses a config with no listener, a certificate without its key and a malformed advertised host', () => {
    const problems = (input: unknown) => {
      const r = MqttConfigSchema.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(problems({ tls: { enabled: false } })).toEqual([
      'tls.enabled: no MQTT listener: enable mqtt.tls (the default) or mqtt.plaintext',
    ]);
    expect(problems({ tls: { enabled: false }, plaintext: true })).toEqual([]);
    expect(problems({ tls: { certFile: '/etc/linli/server.crt' } })[0]).toContain('certFile and keyFile go together');
    expect(problems({ tls: { advertisedHosts: ['gw.example.cn', '10.1.2.3', 'fd00::1'] } })).toEqual([]);
    expect(problems({ tls: { advertisedHosts: ['not a host'] } })[0]).toContain('expected a host name');
  });
});
