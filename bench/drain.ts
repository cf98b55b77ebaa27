import { Gateway } from '../gateway/app.ts';
import { ConfigSchema } from '../gateway/config/schema.ts';
import { silentLogger } from '../gateway/core/log.ts';
import { startEmbeddedCloud } from '../sim/src/embedded-cloud.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

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
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      cloud: { enabled: true, url: cloud.url, protocolVersion: 4, signingKeys: [cloud.signingKey] },
    }),
    silentLogger(),
  );
  try {
    await gw.start();
    const link = gw.cloud;
    const outbox = gw.outbox;
    if (!link || !outbox) throw new Error('cloud sync is not on');
    while (!link.isConnected) await new Promise((r) => setTimeout(r, 20));
    await link.stop(); // the outage
    const t0 = performance.now();
    await gw.writer.submit(() => {
      for (let i = 0; i < backlog; i++)
        outbox.append('money', 'redemption.captured', {
          redemptionId: `r-${i}`,
          memberId: `m-${i % 300}`,
          payableFen: 1000 + (i % 5000),
          at: Date.now(),
        });
    });
    const appendPerSecond = backlog / ((performance.now() - t0) / 1000);
    const money = () => cloud.twin.stream(gw.config.gateway.id, 'money');
    const access = () => cloud.twin.stream(gw.config.gateway.id, 'access');
    const started = performance.now();
    link.start(); // the cloud is back
    const sentAt = new Map<number, number>();
    let n = 0;
    const live = setInterval(() => {
      void gw.writer.submit(() => outbox.append('access', 'access.decision', { n, at: Date.now() }));
      sentAt.set(++n, performance.now());
    }, 50);
    const latencies: number[] = [];
    let seen = 0;
    while (money().upTo < backlog) {
      await new Promise((r) => setTimeout(r, 10));
      const got = access().events.length;
      for (; seen < got; seen++) {
        const at = sentAt.get(seen + 1);
        if (at !== undefined) latencies.push(performance.now() - at);
      }
      if (performance.now() - started > 120_000) throw new Error('the backlog did not drain in 2 minutes');
    }
    clearInterval(live);
    const drainS = (performance.now() - started) / 1000;
    return {
      appendPerSecond,
      drainPerSecond: backlog / drainS,
      drainS,
      liveP50Ms: percentile(latencies, 50),
      liveP99Ms: percentile(latencies, 99),
      live: latencies.length,
      rssMb: process.memoryUsage().rss / 1024 / 1024,
    };
  } finally {
    await gw.stop();
    await cloud.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
