import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificatesCheck } from '../../gateway/doctor/certificates-check.ts';
import { tempDir } from '../support/tmp.ts';
import { fakeContext, NOW } from './fake-box.ts';

const DAY = 86_400_000;
const D = '/var/lib/linli';

describe('doctor: certificate expiry', () => {
  const tmp = tempDir('linli-doctor-cert-');
  let cert = '';
  let notAfter = 0;
  beforeAll(() => {
    // one real certificate, made as the TLS tests make theirs; the doctor's clock is moved around its expiry
    const out = join(tmp.dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '100'].concat([
        '-subj',
        '/CN=doctor-test',
        '-keyout',
        join(tmp.dir, 'key.pem'),
        '-out',
        out,
      ]),
      { stdio: 'pipe' },
    );
    cert = readFileSync(out, 'utf8');
    notAfter = Date.parse(new X509Certificate(cert).validTo);
  });
  afterAll(() => tmp.cleanup());

  const at = (now: number, files: Record<string, { text: string }>, config = {}) =>
    certificatesCheck.run({ ...fakeContext({ files }, config), now: () => now });

  it('the local server certificate and CA: ok with 100 days left, warn under 30, fail once expired', async () => {
    const files = { [`${D}/tls/server.crt`]: { text: cert }, [`${D}/tls/ca.crt`]: { text: cert } };
    const fine = await at(notAfter - 90 * DAY, files);
    expect(fine.map((f) => [f.id, f.status])).toEqual([
      ['certificates.server', 'ok'],
      ['certificates.local-ca', 'ok'],
    ]);
    const soon = await at(notAfter - 10 * DAY - 1000, files);
    expect(soon[0]).toMatchObject({ status: 'warn', message: expect.stringContaining('expires in 10 days') });
    expect(soon[0]?.fix).toContain('renews its own certificate');
    const gone = await at(notAfter + DAY, files);
    expect(gone[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('expired on') });
  });

  it('fail: not yet valid (a clock behind), not a certificate; warn: not made yet', async () => {
    const early = await at(notAfter - 200 * DAY, { [`${D}/tls/server.crt`]: { text: cert } });
    expect(early[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('clock behind') });
    expect(early[1]).toMatchObject({ id: 'certificates.local-ca', status: 'warn' });
    const junk = await at(NOW, { [`${D}/tls/server.crt`]: { text: 'hello' } });
    expect(junk[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('no PEM certificate') });
  });

  it('the config’s own certificate files: a bundle’s soonest decides; a missing file fails', async () => {
    const config = {
      mqtt: {
        tls: { certFile: '/etc/linli/server.crt', keyFile: '/etc/linli/server.key', caFile: '/etc/linli/ca.pem' },
      },
    };
    const found = await at(notAfter - 5 * DAY, { '/etc/linli/server.crt': { text: `${cert}\n${cert}` } }, config);
    expect(found.map((f) => [f.id, f.status])).toEqual([
      ['certificates.mqtt-tls', 'warn'],
      ['certificates.mqtt-tls-ca', 'fail'],
    ]);
    expect(found[0]?.fix).toBe('renew /etc/linli/server.crt, then restart the gateway');
  });
});
