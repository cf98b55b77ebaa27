import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gateway } from '../gateway/app.ts';
import { ConfigSchema } from '../gateway/config/schema.ts';
import { silentLogger } from '../gateway/core/log.ts';
import { rawPublicKey } from '../gateway/redemption/credentials/qr-credential.ts';
import { CloudTwin } from '../sim/src/cloud-twin.ts';
import { Mosquitto } from '../test/support/mosquitto.ts';
import { stageOutageAndDrain } from './outage-drain.ts';
import { quantile } from './support.ts';

/** What a paced-up drain to a real Mosquitto did, counted at the subscriber. */
export interface MosquittoDrain {
  backlog: number;
  batchesPerSecond: number;
  batchMax: number;
  drainPerSecond: number;
  /** Events the cloud received twice, and events it never received (gaps in a stream's sequence). */
  duplicates: number;
  lost: number;
  live: number;
  liveP50Ms: number;
  liveP99Ms: number;
}

/**
 * The drain after a long outage with the pacing raised (cloud.batchesPerSecond, cloud.batchMax), to a real
 * Mosquitto (MQTT 5) and the simulated cloud subscribed there: a backlog of money events, live access
 * events every 50 ms meanwhile; every event counted at the subscriber.
 */
export async function benchDrainToMosquitto(
  o: { backlog?: number; batchesPerSecond?: number; batchMax?: number } = {},
): Promise<MosquittoDrain> {
  const backlog = o.backlog ?? 100_000;
  // raised from the default 20 batches/s of 100: the largest batches drain fastest (each costs a writer
  // unit, a publish and an acknowledgement whatever its size)
  const batchesPerSecond = o.batchesPerSecond ?? 100;
  const batchMax = o.batchMax ?? 1000;
  const dir = mkdtempSync(join(tmpdir(), 'linli-bench-drain-mq-'));
  const broker = await new Mosquitto().start();
  // the cloud signs its documents; the gateway trusts this key only
  const keys = generateKeyPairSync('ed25519');
  const twin = new CloudTwin({
    url: broker.url,
    protocolVersion: 5,
    clientId: 'linli-bench-cloud',
    signer: { kid: 'bench', key: keys.privateKey },
  });
  const signingKeys = [{ kid: 'bench', publicKey: rawPublicKey(keys.publicKey).toString('base64url') }];
  await twin.start();
  const gw = new Gateway(
    ConfigSchema.parse({
      dataDir: dir,
      gateway: { id: 'gw-bench-drain' },
      mqtt: { host: '127.0.0.1', port: 0, plaintext: true, tls: { enabled: false } },
      http: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      cloud: { enabled: true, url: broker.url, protocolVersion: 5, batchesPerSecond, batchMax, signingKeys },
    }),
    silentLogger(),
  );
  try {
    await gw.start();
    const { drainS, liveMs } = await stageOutageAndDrain(gw, twin, backlog, 60_000);
    const m = twin.stream(gw.config.gateway.id, 'money');
    const latencies = [...liveMs].sort((a, b) => a - b);
    return {
      backlog,
      batchesPerSecond,
      batchMax,
      drainPerSecond: backlog / drainS,
      duplicates: m.duplicates,
      // every event of the stream arrived once, in order: what is missing is what its count lacks
      lost: backlog - m.events.length + m.gaps,
      live: latencies.length,
      liveP50Ms: quantile(latencies, 0.5),
      liveP99Ms: quantile(latencies, 0.99),
    };
  } finally {
    await gw.stop();
    await twin.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
