import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from '../../gateway/app.ts';
import { loadConfig } from '../../gateway/config/load.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { rawPublicKey } from '../../gateway/redemption/credentials/qr-credential.ts';
import { CloudTwin } from '../../sim/src/cloud-twin.ts';
import { waitFor } from '../support/gateway-harness.ts';
import { Mosquitto } from '../support/mosquitto.ts';
import { tempDir } from '../support/tmp.ts';
import { expectCloudContractKept } from './contract-conformance.ts';

const keys = generateKeyPairSync('ed25519');
const signingKeys = [{ kid: 'c1', publicKey: rawPublicKey(keys.publicKey).toString('base64url') }];

/**
 * Per-gateway username and password on a broker that refuses
 * anonymous clients, over MQTT 3.1.1; settings the cloud changes.
 */
describe('gateway identity on the cloud broker, and settings from the cloud', () => {
  let mosq: Mosquitto;
  let twin: CloudTwin;
  let tmp: ReturnType<typeof tempDir>;
  const config = (dataDir: string, password: string) => {
    const file = join(tmp.dir, `pw-${password}`);
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    // through the loader, as `linli start` does: the config comes back deeply frozen
    const configFile = join(tmp.dir, `config-${password}.json`);
    writeFileSync(
      configFile,
      JSON.stringify({
        dataDir,
        gateway: { id: 'gw-sunshine' },
        mqtt: { host: '127.0.0.1', port: 0, plaintext: true, tls: { enabled: false } },
        http: { host: '127.0.0.1', port: 0 },
        log: { level: 'silent' },
        cloud: {
          enabled: true,
          url: mosq.url,
          username: 'gw-sunshine',
          passwordFile: file,
          protocolVersion: 4,
          signingKeys,
          reconnectMinMs: 200,
          reconnectMaxMs: 1000,
        },
      }),
    );
    return loadConfig({ file: configFile, env: {} });
  };
  beforeAll(async () => {
    tmp = tempDir();
    mosq = await new Mosquitto(undefined, [
      { name: 'gw-sunshine', password: 'right-horse-battery' },
      { name: 'cloud', password: 'cloud-secret' },
    ]).start();
    twin = new CloudTwin({
      url: mosq.url,
      signer: { kid: 'c1', key: keys.privateKey },
      username: 'cloud',
      password: 'cloud-secret',
      clientId: 'twin-identity',
    });
    await twin.start();
  });
  afterAll(async () => {
    await twin?.stop();
    await mosq?.dispose();
    tmp?.cleanup();
    if (twin) expectCloudContractKept(twin);
  });

  it(
    'a wrong password is refused (the gateway keeps trying with back-off); ' + 'the right one connects over MQTT 3.1.1',
    async () => {
      const wrong = new Gateway(config(join(tmp.dir, 'a'), 'wrong'), silentLogger());
      await wrong.start();
      try {
        await new Promise((r) => setTimeout(r, 1200));
        expect(wrong.cloud?.isConnected).toBe(false);
      } finally {
        await wrong.stop();
      }
      const gw = new Gateway(config(join(tmp.dir, 'b'), 'right-horse-battery'), silentLogger());
      await gw.start();
      try {
        await waitFor(() => gw.cloud?.isConnected === true, 'connected with its own account');
        await gw.redemption.service.awardPoints('nobody', 1, 'x', 'activity').catch(() => undefined);
        await waitFor(() => twin.states.some((s) => (s as { state: string }).state === 'online'), 'its online state');
      } finally {
        await gw.stop();
      }
    },
  );

  it(
    'the cloud changes settings at run time (plain-card limits, hotlist age) on a frozen config; ' +
      'they survive a restart',
    async () => {
      const dir = join(tmp.dir, 'c');
      const frozen = config(dir, 'right-horse-battery');
      expect(Object.isFrozen(frozen.cloud)).toBe(true);
      const gw = new Gateway(frozen, silentLogger());
      await gw.start();
      try {
        await waitFor(() => gw.cloud?.isConnected === true && (gw.docs?.version('config') ?? 0) >= 1, 'connected');
        await twin.pushDelta('gw-sunshine', 'config', {
          lowTrust: { perTxnFen: 1234, perDayFen: 5678 },
          hotlistMaxAgeH: 6,
        });
        await waitFor(
          () => gw.redemption.service.lowTrustLimits.perTxnFen === 1234 && gw.settings.hotlistMaxAgeH === 6,
          'applied',
        );
        expect(frozen.cloud.hotlistMaxAgeH).toBe(24); // the configuration file's value, untouched
      } finally {
        await gw.stop();
      }
      const again = new Gateway(config(dir, 'right-horse-battery'), silentLogger());
      await again.start();
      try {
        expect(again.redemption.service.lowTrustLimits).toEqual({ perTxnFen: 1234, perDayFen: 5678 });
        expect(again.settings.hotlistMaxAgeH).toBe(6);
      } finally {
        await again.stop();
      }
    },
  );
});
