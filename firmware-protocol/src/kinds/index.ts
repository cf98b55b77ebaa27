import type * as z from 'zod';
import { KIND_MODULES } from '../../../devices/registry.ts';
import type { DeviceKind } from './device-kind.ts';

export * from './device-kind.ts';
export * from './device-id.ts';
export * from './common.ts';

type Modules = (typeof KIND_MODULES)[number];
type WireOf<K extends DeviceKind> = Extract<Modules, { wire: { kind: K } }>['wire'];

/** The per-kind wire schemas, one row per kind of the registry. */
export const KIND_SCHEMAS = Object.fromEntries(
  KIND_MODULES.map((m) => [m.wire.kind, { capabilities: m.wire.capabilities, telemetry: m.wire.telemetry }]),
) as { [K in DeviceKind]: { capabilities: WireOf<K>['capabilities']; telemetry: WireOf<K>['telemetry'] } };

export type CapabilitiesOf<K extends DeviceKind> = z.infer<WireOf<K>['capabilities']>;
export type TelemetryOf<K extends DeviceKind> = z.infer<WireOf<K>['telemetry']>;
