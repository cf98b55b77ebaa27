import { describe, expect, it } from 'vitest';
import { BrokerHarness } from '../broker/harness.ts';

describe('the broker without a certificate to serve', () => {
  it('refuses to start TLS with neither certificate files nor the local CA, naming both', async () => {
    const h = new BrokerHarness({ plaintext: false, tls: { enabled: true, host: '127.0.0.1', port: 0 } });
    await expect(h.start()).rejects.toThrow(
      'mqtt.tls: no certFile and keyFile, and no local CA to issue a certificate',
    );
    await h.stop();
  });
});
