import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerTrust, trustLines } from '../../gateway/security/broker-trust.ts';
import { ConfigSchema } from '../../gateway/config/schema.ts';
import type { HostIdentity } from '../../gateway/security/server-names.ts';
import { tlsPaths } from '../../gateway/security/tls-paths.ts';
import { linliInProcess as linli } from '../cli/cli-support.ts';
import { tempDir } from '../support/tmp.ts';

const host: HostIdentity = {
  hostname: () => 'box',
  networkInterfaces: () => ({
    eth0: [
      {
        address: '192.168.1.20',
        internal: false,
        family: 'IPv4',
        netmask: '255.255.255.0',
        mac: '00:00:00:00:00:01',
        cidr: '192.168.1.20/24',
      },
    ],
  }),
};

describe('linli provision: what a device needs to trust the broker [FWP-1.4]', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('linli-prov-');
  });
  afterAll(() => tmp.cleanup());

  it('--json: the mqtts URL and port, the local CA (the file the gateway serves from) and its SHA-256', async () => {
    const r = await linli(['provision', '--kind', 'door_reader', '--id', 'door-01', '--data', tmp.dir, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      broker: { url: string; port: number; tls: boolean; plaintext: boolean; caPem: string; caSha256: string };
    };
    const caFile = tlsPaths(tmp.dir).caCert;
    const ca = readFileSync(caFile, 'utf8');
    expect(out.broker).toMatchObject({ port: 8883, tls: true, plaintext: false, caPem: ca });
    expect(out.broker.url).toMatch(/^mqtts:\/\/\S+:8883$/);
    expect(out.broker.caSha256).toBe(new X509Certificate(ca).fingerprint256);
    // a second device gets the same CA: it is made once, then read
    const again = await linli(['provision', '--kind', 'door_reader', '--id', 'door-02', '--data', tmp.dir, '--json']);
    expect((JSON.parse(again.stdout) as typeof out).broker.caPem).toBe(ca);
  });

  it('text: the broker, the fingerprint and the CA certificate in PEM', async () => {
    const r = await linli(['provision', '--kind', 'door_reader', '--id', 'door-03', '--data', tmp.dir]);
    expect(r.code).toBe(0);
    const ca = readFileSync(tlsPaths(tmp.dir).caCert, 'utf8');
    expect(r.stdout).toMatch(/Broker: mqtts:\/\/\S+:8883 \(TLS; plain MQTT is off\)/);
    expect(r.stdout).toContain(`CA SHA-256 fingerprint: ${new X509Certificate(ca).fingerprint256}`);
    expect(r.stdout).toContain(ca.trim());
  });

  it('names the advertised host first, says when plain MQTT is on, prints no CA for the operator’s own', async () => {
    const dataDir = join(tmp.dir, 'x');
    const advertised = ConfigSchema.parse({
      dataDir,
      mqtt: { plaintext: true, tls: { advertisedHosts: ['gw.example.cn'] } },
    });
    const b = await brokerTrust(advertised, Date.now(), host);
    expect(b.url).toBe('mqtts://gw.example.cn:8883');
    expect(b.names).toEqual(expect.arrayContaining(['box', 'localhost', '127.0.0.1', '192.168.1.20', 'gw.example.cn']));
    expect(trustLines(b)).toMatch(/plain MQTT is also on/);
    const lan = await brokerTrust(ConfigSchema.parse({ dataDir }), Date.now(), host);
    expect(lan.url).toBe('mqtts://192.168.1.20:8883');
    const cert = join(tmp.dir, 'own.crt');
    writeFileSync(cert, 'x');
    const own = ConfigSchema.parse({ dataDir, mqtt: { tls: { host: '10.0.0.2', certFile: cert, keyFile: cert } } });
    const o = await brokerTrust(own, Date.now(), host);
    expect(o).toMatchObject({ url: 'mqtts://10.0.0.2:8883', caPem: undefined });
    expect(trustLines(o)).toMatch(/give the device its issuer's CA/);
    const plain = ConfigSchema.parse({ dataDir, mqtt: { plaintext: true, tls: { enabled: false } } });
    expect(trustLines(await brokerTrust(plain, Date.now(), host))).toMatch(
      /^ {2}Broker: mqtt:\/\/192\.168\.1\.20:1883 \(plain MQTT/,
    );
  });
});
