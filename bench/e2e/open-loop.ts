import type { SimDevice } from '../../sim/src/sim-device.ts';
import { quantile } from '../support.ts';

/** What one offered rate got: latencies measured from each request's scheduled send time. */
export interface LoadFigures {
  offeredPerS: number;
  sent: number;
  answered: number;
  /** Answered per second of the phase (including its tail). */
  achievedPerS: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Requests without an answer within the device's own retries (counted at `maxMs`, never left out). */
  lost: number;
}

/**
 * Open-loop offered load: requests leave on a fixed schedule whatever the answers do, spread over the
 * devices in turn, and each latency runs from the *scheduled* send time, so a gateway that stalls shows
 * its stall in every request queued behind it (no coordinated omission). A bill of 15–64.50 yuan paid
 * with a member's plain card at a bound shop scanner: a redemption decided and committed durably.
 */
export async function openLoop(
  fleet: readonly SimDevice[],
  cards: readonly string[],
  o: { perSecond: number; seconds: number; seed?: number },
): Promise<LoadFigures> {
  const total = Math.round(o.perSecond * o.seconds);
  const interval = 1000 / o.perSecond;
  const latencies: number[] = [];
  let lost = 0;
  const inFlight: Promise<void>[] = [];
  const t0 = performance.now() + 20;
  let next = 0;
  const seed = o.seed ?? 1;
  await new Promise<void>((resolve) => {
    const pump = () => {
      const now = performance.now();
      while (next < total && t0 + next * interval <= now) {
        const i = next++;
        const at = t0 + i * interval;
        const d = fleet[i % fleet.length] as SimDevice;
        const uid = cards[(i * 7 + seed) % cards.length] ?? '';
        const body = {
          op: 'redeem' as const,
          credential: { type: 'uid' as const, uid },
          amountFen: 1500 + (i % 100) * 50,
        };
        inFlight.push(
          d.request(body, `${d.id}-b${seed}-${i}`).then(
            () => void latencies.push(performance.now() - at),
            () => {
              lost += 1;
            },
          ),
        );
      }
      if (next >= total) resolve();
      else setTimeout(pump, 1);
    };
    setTimeout(pump, 0);
  });
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const maxMs = latencies.at(-1) ?? 0;
  const withLost = lost > 0 ? [...latencies, ...Array<number>(lost).fill(Math.max(maxMs, 15_000))] : latencies;
  return {
    offeredPerS: o.perSecond,
    sent: total,
    answered: latencies.length,
    achievedPerS: latencies.length / elapsedS,
    p50Ms: quantile(withLost, 0.5),
    p99Ms: quantile(withLost, 0.99),
    maxMs: withLost.at(-1) ?? 0,
    lost,
  };
}
