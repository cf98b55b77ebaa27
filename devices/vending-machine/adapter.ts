import type * as z from 'zod';
import type { VendingMachineCapabilitiesSchema, VendingMachineTelemetrySchema } from './wire.ts';
import type { KindHealth } from '../adapter.ts';

type Caps = z.infer<typeof VendingMachineCapabilitiesSchema>;
type Telemetry = z.infer<typeof VendingMachineTelemetrySchema>;

/** The vending machine's health rules and headline figures. */
export const vendingMachineHealth: KindHealth<Caps, Telemetry> = {
  defaultCapabilities: {
    slots: Array.from({ length: 8 }, (_, i) => ({ slot: `A${i + 1}` })),
    refrigerated: true,
    cashless: true,
  },
  openings: (t) => (t.serviceDoor ? [{ id: 'service door', state: t.serviceDoor }] : []),
  evaluate(t, limits, caps) {
    const findings = [];
    // [FWP-7.3] refrigerated goods spoil above the limit: staff must know before residents buy them.
    // An ambient snack machine is warm all summer and that is fine.
    if (
      caps?.refrigerated !== false &&
      t.temperatureC !== undefined &&
      t.temperatureC > limits.vendingMaxTemperatureC
    ) {
      findings.push({
        severity: 'degraded' as const,
        code: 'TOO_WARM',
        message: `temperature ${t.temperatureC} °C is above ${limits.vendingMaxTemperatureC} °C`,
      });
    }
    const empty = (t.slots ?? []).filter((s) => s.stock === 0).map((s) => s.slot);
    if (empty.length > 0) {
      findings.push({ severity: 'degraded' as const, code: 'SOLD_OUT', message: `sold out: ${empty.join(', ')}` });
    }
    return findings;
  },
  summarize: (c) => ({ slots: c.slots.length, refrigerated: c.refrigerated }),
};
