import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsPaths } from '../../gateway/security/tls-paths.ts';
import { linliInProcess as linli } from '../cli/cli-support.ts';
import { startGateway, type Harness } from '../support/gateway-harness.ts';

/** `linli sim` against a gateway as shipped: MQTT over TLS only, its devices pinning the gateway's CA. */
describe('linli sim over TLS', () => {
  let h: Harness;
  let creds: string;
  beforeAll(async () => {
    h = await startGateway({ mqtt: { plaintext: false, tls: { host: '127.0.0.1', port: 0 } } });
    const { secret } = await h.gw.devices.provision({ id: 'sim-door-01', kind: 'door_reader' });
    creds = join(h.dataDir, 'creds.json');
    writeFileSync(creds, JSON.stringify([{ id: 'sim-door-01', kind: 'door_reader', secret }]));
  });
  afterAll(() => h?.stop());

  it('connects with --ca <data>/tls/ca.crt; without it says what to give', async () => {
    const url = `mqtts://127.0.0.1:${h.endpoints.mqttTlsPort}`;
    const missing = await linli(['sim', '--credentials', creds, '--url', url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^linli: .* is MQTT over TLS: the simulated devices need the gateway's CA/);
    expect(missing.stderr).toMatch(/--ca DATA\/tls\/ca\.crt/);
    const ok = await linli([
      'sim',
      '--credentials',
      creds,
      '--url',
      url,
      '--ca',
      tlsPaths(h.dataDir).caCert,
      '--duration',
      '1',
    ]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/sim-door-01\s+door_reader\s+connected/);
  });
});
