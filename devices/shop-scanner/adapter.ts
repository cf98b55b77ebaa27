import type * as z from 'zod';
import type { ShopScannerCapabilitiesSchema, ShopScannerTelemetrySchema } from './wire.ts';
import type { KindHealth } from '../adapter.ts';

type Caps = z.infer<typeof ShopScannerCapabilitiesSchema>;
type Telemetry = z.infer<typeof ShopScannerTelemetrySchema>;

const LOW_BATTERY_PCT = 15;

/** The shop scanner's health rules and headline figures. */
export const shopScannerHealth: KindHealth<Caps, Telemetry> = {
  defaultCapabilities: { merchantId: 'unassigned', hasDisplay: true, readers: ['qr'] },
  openings: () => [],
  evaluate(t) {
    if (t.batteryPct !== undefined && t.batteryPct < LOW_BATTERY_PCT && !t.charging) {
      return [{ severity: 'degraded', code: 'LOW_BATTERY', message: `battery at ${t.batteryPct}% and not charging` }];
    }
    return [];
  },
  summarize: (c) => ({ merchant: c.merchantId, ...(c.counter ? { counter: c.counter } : {}) }),
};
