import { Gateway } from '../gateway/app.ts';
import { ConfigSchema } from '../gateway/config/schema.ts';
import { silentLogger } from '../gateway/core/log.ts';
import { startEmbeddedCloud } from '../sim/src/embedded-cloud.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stageOutageAndDrain } from './outage-drain.ts';
import { quantile } from './support.ts';

/**
 * The drain after an outage: a backlog of money events waits in the outbox, the cloud comes back, and
 * the backlog is sent paced (default 20 batches/s of 100) while live access events keep flowing: how
 * fast it drains, and how long a live event waits meanwhile.
 */
export async function benchDrain(backlog = 20_000): Promise<{
  appendPerSecond: number;
  drainPerSecond: number;
  drainS: number;
  liveP50Ms: number;
  liveP99Ms: number;
  live: number;
  rssMb: number;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'linli-bench-drain-'));
  const cloud = await startEmbeddedCloud(silentLogger());
  const gw = new Gateway(
    ConfigSchema.parse({
      dataDir: dir,
      mqtt: { host: '127.0.0.1', port: 0, plaintext: true, tls: { enabled: false } },
      http: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      cloud: { enabled: true, url: cloud.url, protocolVersion: 4, signingKeys: [cloud.signingKey] },
    }),
    silentLogger(),
  );
  try {
    await gw.start();
    const { appendPerSecond, drainS, liveMs } = await stageOutageAndDrain(gw, cloud.twin, backlog, 120_000);
    const latencies = [...liveMs].sort((a, b) => a - b);
    return {
      appendPerSecond,
      drainPerSecond: backlog / drainS,
      drainS,
      liveP50Ms: quantile(latencies, 0.5),
      liveP99Ms: quantile(latencies, 0.99),
      live: latencies.length,
      rssMb: process.memoryUsage().rss / 1024 / 1024,
    };
  } finally {
    await gw.stop();
    await cloud.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
