import type { Gateway } from '../gateway/app.ts';
import type { CloudTwin } from '../sim/src/cloud-twin.ts';

/** How a backlog drained once the cloud came back, and how long live events waited meanwhile. */
export interface OutageDrain {
  appendPerSecond: number;
  drainS: number;
  /** Latencies of the live access events delivered during the drain (ms, in arrival order). */
  liveMs: number[];
}

/**
 * The outage both drain benchmarks stage on a started gateway with cloud sync: the link goes down,
 * `backlog` money events are written to the outbox, the link comes back, and live access events are
 * appended every 50 ms while the backlog drains, until the cloud twin holds every money event.
 */
export async function stageOutageAndDrain(
  gw: Gateway,
  twin: CloudTwin,
  backlog: number,
  deadlineMs: number,
): Promise<OutageDrain> {
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
  const money = () => twin.stream(gw.config.gateway.id, 'money');
  const access = () => twin.stream(gw.config.gateway.id, 'access');
  const started = performance.now();
  link.start(); // the cloud is back
  const sentAt = new Map<number, number>();
  let n = 0;
  const live = setInterval(() => {
    void gw.writer.submit(() => outbox.append('access', 'access.decision', { n, at: Date.now() }));
    sentAt.set(++n, performance.now());
  }, 50);
  const liveMs: number[] = [];
  let seen = 0;
  try {
    while (money().upTo < backlog) {
      await new Promise((r) => setTimeout(r, 10));
      const got = access().events.length;
      for (; seen < got; seen++) {
        const at = sentAt.get(seen + 1);
        if (at !== undefined) liveMs.push(performance.now() - at);
      }
      if (performance.now() - started > deadlineMs)
        throw new Error(`the backlog did not drain within ${deadlineMs / 1000} s`);
    }
  } finally {
    clearInterval(live);
  }
  return { appendPerSecond, drainS: (performance.now() - started) / 1000, liveMs };
}
