import type { ParcelLockerCapabilitiesSchema, ParcelLockerTelemetrySchema } from './wire.ts';
import type { KindHealth } from '../adapter.ts';
import type * as z from 'zod';

type Caps = z.infer<typeof ParcelLockerCapabilitiesSchema>;
type Telemetry = z.infer<typeof ParcelLockerTelemetrySchema>;

const sizes = ['S', 'M', 'L'] as const;

/** The parcel locker's health rules and headline figures. */
export const parcelLockerHealth: KindHealth<Caps, Telemetry> = {
  defaultCapabilities: {
    compartments: Array.from({ length: 12 }, (_, i) => ({
      id: String(i + 1),
      size: sizes[i % 3] ?? 'M',
      refrigerated: false,
    })),
    hasKeypad: true,
    hasScanner: true,
  },
  openings: (t) => (t.compartments ?? []).map((c) => ({ id: `compartment ${c.id}`, state: c.door })),
  evaluate(t) {
    const occupied = (t.compartments ?? []).filter((c) => c.occupied).length;
    const total = t.compartments?.length ?? 0;
    if (total > 0 && occupied === total) {
      return [{ severity: 'degraded', code: 'LOCKER_FULL', message: `all ${total} compartments are occupied` }];
    }
    return [];
  },
  summarize: (c) => ({
    compartments: c.compartments.length,
    small: c.compartments.filter((x) => x.size === 'S').length,
    medium: c.compartments.filter((x) => x.size === 'M').length,
    large: c.compartments.filter((x) => x.size === 'L' || x.size === 'XL').length,
  }),
};
