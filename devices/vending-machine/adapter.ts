import type { z } from 'zod';
import {
  VendingMachineCapabilitiesSchema,
  VendingMachineTelemetrySchema,
} from '../../firmware-protocol/src/kinds/vending-machine.ts';
import type { DeviceAdapter } from '../adapter.ts';
import { commandsFor } from '../commands-for.ts';

type Caps = z.infer<typeof VendingMachineCapabilitiesSchema>;
type Telemetry = z.infer<typeof VendingMachineTelemetrySchema>;

export const vendingMachineAdapter: DeviceAdapter<Caps, Telemetry> = {
  kind: 'vending_machine',
  label: 'Vending machine',
  capabilitiesSchema: VendingMachineCapabilitiesSchema,
  telemetrySchema: VendingMachineTelemetrySchema,
  defaultCapabilities: {
    slots: Array.from({ length: 8 }, (_, i) => ({ slot: `A${i + 1}` })),
    refrigerated: true,
    cashless: true,
  },
  commands: commandsFor('vending_machine'),
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
