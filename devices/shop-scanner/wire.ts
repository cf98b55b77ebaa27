import * as z from 'zod';
import { CommonTelemetryShape } from '../../firmware-protocol/src/kinds/common.ts';
import type { KindWire } from '../../firmware-protocol/src/kinds/kind-wire.ts';

/** [FWP-7.5] A shop scanner's capabilities: the merchant and counter it serves. */
export const ShopScannerCapabilitiesSchema = z.object({
  merchantId: z.string().min(1).max(64),
  counter: z.string().min(1).max(32).optional(),
  hasDisplay: z.boolean().default(true),
  readers: z
    .array(z.enum(['qr', 'nfc']))
    .min(1)
    .default(['qr']),
});

export const ShopScannerTelemetrySchema = z.object({
  ...CommonTelemetryShape,
  batteryPct: z.number().int().min(0).max(100).optional(),
  charging: z.boolean().optional(),
});

export const shopScannerWire = {
  kind: 'shop_scanner',
  label: 'Shop scanner',
  clause: 'FWP-7.5',
  capabilities: ShopScannerCapabilitiesSchema,
  telemetry: ShopScannerTelemetrySchema,
  events: [],
  requests: [],
  engineOps: ['redeem', 'reverse', 'lookup'],
  commands: {},
  displays: true,
} as const satisfies KindWire;
