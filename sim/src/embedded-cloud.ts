import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { rawPublicKey } from '../../gateway/redemption/credentials/qr-credential.ts';
import { Aedes } from 'aedes';
import type { Logger } from '../../gateway/core/log.ts';
import { CloudTwin } from './cloud-twin.ts';

/**
 * A stand-in for the cloud platform in one process, for the demo: a plain MQTT broker (aedes, MQTT
 * 3.1.1, loopback only) and the cloud twin consuming from it, so `npm start` needs nothing installed.
 */
export async function startEmbeddedCloud(log: Logger): Promise<{ url: string; twin: CloudTwin; signingKey: { kid: string; publicKey: string }; stop(): Promise<void> }> {
  // the simulated cloud signs its documents like the real one: the gateway trusts this key only
  const keys = generateKeyPairSync('ed25519');
  const aedes = await Aedes.createBroker();
  const server: Server = createServer(aedes.handle);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  const url = `mqtt://127.0.0.1:${port}`;
  const twin = new CloudTwin({ url, log, protocolVersion: 4, clientId: 'linli-demo-cloud', signer: { kid: 'demo', key: keys.privateKey } });
  await twin.start();
  return {
    url,
    twin,
    signingKey: { kid: 'demo', publicKey: rawPublicKey(keys.publicKey).toString('base64url') },
    async stop() {
      await twin.stop();
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
