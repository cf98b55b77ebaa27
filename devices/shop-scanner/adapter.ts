import type { z } from 'zod';
import {
  ShopScannerCapabilitiesSchema,
  ShopScannerTelemetrySchema,
} from '../../firmware-protocol/src/kinds/shop-scanner.ts';
import type { DeviceAdapter } from '../adapter.ts';
import { commandsFor } from '../commands-for.ts';

type Caps = z.infer<typeof ShopScannerCapabilitiesSchema>;
type Telemetry = z.infer<typeof ShopScannerTelemetrySchema>;

const LOW_BATTERY_PCT = 15;

export const shopScannerAdapter: DeviceAdapter<Caps, Telemetry> = {
  kind: 'shop_scanner',
  label: 'Shop scanner',
  capabilitiesSchema: ShopScannerCapabilitiesSchema,
  telemetrySchema: ShopScannerTelemetrySchema,
  defaultCapabilities: { merchantId: 'unassigned', hasDisplay: true, readers: ['qr'] },
  commands: commandsFor('shop_scanner'),
  openings: () => [],
  evaluate(t) {
    if (t.batteryPct !== undefined && t.batteryPct < LOW_BATTERY_PCT && !t.charging) {
      return [{ severity: 'degraded', code: 'LOW_BATTERY', message: `battery at ${t.batteryPct}% and not charging` }];
    }
    return [];
  },
  summarize: (c) => ({ merchant: c.merchantId, ...(c.counter ? { counter: c.counter } : {}) }),
};
