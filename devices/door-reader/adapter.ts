import type * as z from 'zod';
import type { DoorReaderCapabilitiesSchema, DoorReaderTelemetrySchema } from './wire.ts';
import type { KindHealth } from '../adapter.ts';

type Caps = z.infer<typeof DoorReaderCapabilitiesSchema>;
type Telemetry = z.infer<typeof DoorReaderTelemetrySchema>;

/** The door reader's health rules and headline figures. */
export const doorReaderHealth: KindHealth<Caps, Telemetry> = {
  defaultCapabilities: { doors: [{ id: 'main', hasDoorSensor: true }], readers: ['nfc'] },
  openings: (t) => (t.doors ?? []).map((d) => ({ id: `door ${d.id}`, state: d.state })),
  evaluate(t) {
    // A tamper switch means someone opened the reader's housing: treat it as a fault, never a warning.
    return t.tamper ? [{ severity: 'fault', code: 'TAMPER', message: 'the tamper switch is open' }] : [];
  },
  summarize: (c) => ({ doors: c.doors.length, readers: c.readers.join('+') }),
};
