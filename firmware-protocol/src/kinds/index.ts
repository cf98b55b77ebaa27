import type { z } from 'zod';
import type { DeviceKind } from './device-kind.ts';
import { ParcelLockerCapabilitiesSchema, ParcelLockerTelemetrySchema } from './parcel-locker.ts';
import { VendingMachineCapabilitiesSchema, VendingMachineTelemetrySchema } from './vending-machine.ts';
import { DoorReaderCapabilitiesSchema, DoorReaderTelemetrySchema } from './door-reader.ts';
import { ShopScannerCapabilitiesSchema, ShopScannerTelemetrySchema } from './shop-scanner.ts';

export * from './device-kind.ts';
export * from './common.ts';
export * from './parcel-locker.ts';
export * from './vending-machine.ts';
export * from './door-reader.ts';
export * from './shop-scanner.ts';

/** The per-kind wire schemas, one row per kind. */
export const KIND_SCHEMAS = {
  parcel_locker: { capabilities: ParcelLockerCapabilitiesSchema, telemetry: ParcelLockerTelemetrySchema },
  vending_machine: { capabilities: VendingMachineCapabilitiesSchema, telemetry: VendingMachineTelemetrySchema },
  door_reader: { capabilities: DoorReaderCapabilitiesSchema, telemetry: DoorReaderTelemetrySchema },
  shop_scanner: { capabilities: ShopScannerCapabilitiesSchema, telemetry: ShopScannerTelemetrySchema },
} as const satisfies Record<DeviceKind, { capabilities: z.ZodType; telemetry: z.ZodType }>;

export type CapabilitiesOf<K extends DeviceKind> = z.infer<(typeof KIND_SCHEMAS)[K]['capabilities']>;
export type TelemetryOf<K extends DeviceKind> = z.infer<(typeof KIND_SCHEMAS)[K]['telemetry']>;
