import type { z } from 'zod';
import {
  DoorReaderCapabilitiesSchema,
  DoorReaderTelemetrySchema,
} from '../../firmware-protocol/src/kinds/door-reader.ts';
import type { DeviceAdapter } from '../adapter.ts';
import { commandsFor } from '../commands-for.ts';

type Caps = z.infer<typeof DoorReaderCapabilitiesSchema>;
type Telemetry = z.infer<typeof DoorReaderTelemetrySchema>;

export const doorReaderAdapter: DeviceAdapter<Caps, Telemetry> = {
  kind: 'door_reader',
  label: 'NFC door reader',
  capabilitiesSchema: DoorReaderCapabilitiesSchema,
  telemetrySchema: DoorReaderTelemetrySchema,
  defaultCapabilities: { doors: [{ id: 'main', hasDoorSensor: true }], readers: ['nfc'] },
  commands: commandsFor('door_reader'),
  openings: (t) => (t.doors ?? []).map((d) => ({ id: `door ${d.id}`, state: d.state })),
  evaluate(t) {
    // A tamper switch means someone opened the reader's housing: treat it as a fault, never a warning.
    return t.tamper ? [{ severity: 'fault', code: 'TAMPER', message: 'the tamper switch is open' }] : [];
  },
  summarize: (c) => ({ doors: c.doors.length, readers: c.readers.join('+') }),
};
