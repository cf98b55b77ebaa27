import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { Mosquitto } from '../support/mosquitto.ts';
import { generateTestPki, type TestPki } from '../support/tls.ts';

/** The gateway's own identity to the cloud broker: TLS with the configured CA and a client certificate. */
describe('cloud broker over TLS with client certificates (real Mosquitto)', () => {
  let pki: TestPki;
  let mosq: Mosquitto;
  beforeAll(async () => {
    pki = generateTestPki();
    mosq = await new Mosquitto({
      caFile: pki.caFile,
      certFile: pki.serverCertFile,
      keyFile: pki.serverKeyFile,
    }).start();
    writeFileSync(join(pki.dir, 'gw.crt'), pki.client.cert);
    writeFileSync(join(pki.dir, 'gw.key'), pki.client.key, { mode: 0o600 });
    writeFileSync(join(pki.dir, 'rogue-gw.crt'), pki.rogue.cert);
    writeFileSync(join(pki.dir, 'rogue-gw.key'), pki.rogue.key, { mode: 0o600 });
  });
  afterAll(async () => {
    await mosq?.dispose();
    pki?.cleanup();
  });

  const gateway = (cert: string, key: string): Promise<Harness> =>
    startGateway({
      cloud: {
        enabled: true,
        url: mosq.url,
        signingKeys: [{ kid: 'k', publicKey: 'A'.repeat(43) }],
        caFile: pki.caFile,
        certFile: join(pki.dir, cert),
        keyFile: join(pki.dir, key),
        reconnectMinMs: 200,
        reconnectMaxMs: 1000,
      },
    } as never);

  it(
    'connects with a certificate signed by the CA the broker trusts, ' + 'and the broker by the configured CA',
    async () => {
      const h = await gateway('gw.crt', 'gw.key');
      try {
        await waitFor(() => h.gw.cloud?.isConnected === true, 'connected over TLS', 10_000);
      } finally {
        await h.stop();
      }
    },
  );

  it('a certificate from another CA is refused, and the gateway keeps working offline', async () => {
    const h = await gateway('rogue-gw.crt', 'rogue-gw.key');
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(h.gw.cloud?.isConnected).toBe(false);
      expect(h.gw.cloud?.status().reconnects ?? 0).toBeGreaterThan(0);
      expect((await h.api('/healthz')).status).toBe(200);
    } finally {
      await h.stop();
    }
  });
});
