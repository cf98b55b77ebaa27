import { shopScannerWire } from '../../devices/shop-scanner/wire.ts';
import { SimDevice } from '../../sim/src/sim-device.ts';
import type { BenchDevice } from './community.ts';

/** Simulated shop scanners speaking the real protocol (birth, heartbeats, telemetry, requests) over mqtt.js. */
export function scanners(url: string, devices: readonly BenchDevice[]): SimDevice[] {
  return devices.map(
    (d, index) =>
      new SimDevice({
        url,
        id: d.id,
        kind: shopScannerWire.kind,
        secret: d.secret,
        index,
        // the readings a till reports now and then, not the subject of this benchmark
        telemetryEveryS: 60,
        heartbeatS: 30,
      }),
  );
}

/**
 * Starts every device at once (a power cut is over) and resolves with the milliseconds until the last
 * one is connected and born; rejects after `deadlineMs`.
 */
export async function storm(fleet: readonly SimDevice[], deadlineMs = 120_000): Promise<number> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the fleet was not online within ${deadlineMs} ms`)), deadlineMs);
  });
  try {
    await Promise.race([Promise.all(fleet.map((d) => d.start())), deadline]);
    return performance.now() - t0;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves with the milliseconds until every device is born again (after the gateway restarted). */
export async function allBorn(fleet: readonly SimDevice[], since: number, deadlineMs = 60_000): Promise<number> {
  for (;;) {
    if (fleet.every((d) => d.born)) return performance.now() - since;
    if (performance.now() - since > deadlineMs) throw new Error(`the fleet was not back within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function stopFleet(fleet: readonly SimDevice[]): Promise<void> {
  await Promise.all(fleet.map((d) => d.stop({ graceful: false }).catch(() => undefined)));
}
