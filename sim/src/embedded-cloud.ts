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
export interface EmbeddedCloud {
  url: string;
  twin: CloudTwin;
  signingKey: { kid: string; publicKey: string };
  /**
   * Sends a gateway a fresh hotlist now and then every `everyMs`, as the platform does: a hotlist older
   * than `cloud.hotlistMaxAgeH` makes the gateway refuse plain cards. Waits (up to `waitMs`) until the
   * gateway has said which version it holds, so the new one follows it (a fresh twin starts at none).
   */
  keepHotlistFresh(
    gatewayId: string,
    heldVersion: () => number,
    opts?: { everyMs?: number; waitMs?: number },
  ): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmbeddedCloud(log: Logger): Promise<EmbeddedCloud> {
  // the simulated cloud signs its documents like the real one: the gateway trusts this key only
  const keys = generateKeyPairSync('ed25519');
  const aedes = await Aedes.createBroker();
  const server: Server = createServer(aedes.handle);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  const url = `mqtt://127.0.0.1:${port}`;
  const twin = new CloudTwin({
    url,
    log,
    protocolVersion: 4,
    clientId: 'linli-demo-cloud',
    signer: { kid: 'demo', key: keys.privateKey },
  });
  await twin.start();
  let refresher: NodeJS.Timeout | undefined;
  const pushFresh = async (gatewayId: string, held: number) => {
    const key = `${gatewayId}/hotlist`;
    const doc = twin.docs.get(key) ?? { version: 0, full: {} };
    // the twin of this run knows nothing of the gateway's earlier runs: continue from what it holds
    doc.version = Math.max(doc.version, held);
    twin.docs.set(key, doc);
    await twin.pushDelta(gatewayId, 'hotlist', { block: [] });
  };
  return {
    url,
    twin,
    signingKey: { kid: 'demo', publicKey: rawPublicKey(keys.publicKey).toString('base64url') },
    async keepHotlistFresh(gatewayId, heldVersion, opts = {}) {
      const deadline = Date.now() + (opts.waitMs ?? 15_000);
      while (!twin.docs.has(`${gatewayId}/hotlist`) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      await pushFresh(gatewayId, heldVersion());
      refresher = setInterval(
        () =>
          void pushFresh(gatewayId, heldVersion()).catch((err: unknown) =>
            log.warn({ err }, 'simulated cloud: hotlist not sent'),
          ),
        opts.everyMs ?? 6 * 3600_000,
      );
      refresher.unref();
    },
    async stop() {
      if (refresher) clearInterval(refresher);
      await twin.stop();
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
