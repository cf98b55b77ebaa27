import * as z from 'zod';
import { CommonTelemetryShape } from '../../firmware-protocol/src/kinds/common.ts';
import type { KindWire } from '../../firmware-protocol/src/kinds/kind-wire.ts';
import { TransactionIdSchema } from '../../firmware-protocol/src/envelope.ts';
import { WireCredentialSchema } from '../../firmware-protocol/src/messages/credential.ts';

const SocketIdSchema = z.string().min(1).max(4);

/**
 * [FWP-7.6] An e-bike charging pile's capabilities: its sockets, the operator's tariff (per started
 * hour or per started kWh, in fen) and the longest charge it offers.
 */
export const ChargingPileCapabilitiesSchema = z.object({
  sockets: z
    .array(
      z.object({
        id: SocketIdSchema,
        /** The socket's rated power; over-current is judged against it (at 220 V, with 10% margin). */
        maxPowerW: z.number().int().min(100).max(3000).default(1000),
      }),
    )
    .min(1)
    .max(20),
  tariff: z
    .object({ per: z.enum(['hour', 'kwh']), priceFen: z.number().int().min(1).max(10_000) })
    .default({ per: 'hour', priceFen: 100 }),
  /** The longest charge a resident can choose; the hold is its price. */
  maxHours: z.number().int().min(1).max(12).default(8),
  readers: z
    .array(z.enum(['nfc', 'qr']))
    .min(1)
    .default(['nfc']),
});

const SocketStateSchema = z.enum(['idle', 'charging', 'full', 'fault']);

const ChargingPileTelemetrySchema = z.object({
  ...CommonTelemetryShape,
  sockets: z
    .array(
      z.object({
        id: SocketIdSchema,
        state: SocketStateSchema,
        /** A plug is in the socket (a full battery may stay plugged in). */
        plugged: z.boolean().optional(),
        currentA: z.number().min(0).max(100).optional(),
        temperatureC: z.number().min(-60).max(200).optional(),
        /** The pile's own meter for the charge in progress. */
        energyWh: z.number().int().min(0).max(100_000).optional(),
      }),
    )
    .max(20)
    .optional(),
});

/**
 * [FWP-11.9] A resident taps or scans at a socket: hold the
 * price of `hours` (default: the longest). `txn` = the charge.
 */
const ChargeBeginSchema = z
  .object({
    op: z.literal('charge_begin'),
    socket: SocketIdSchema,
    credential: WireCredentialSchema,
    hours: z.number().int().min(1).max(12).optional(),
  })
  .strict();

/**
 * [FWP-11.9] The charge ended (unplugged, battery full, time up, cut): the pile's meter settles it.
 * `session` is the charge_begin's txn; `txn` is this settlement's. Sent when the pile is online again
 * if it ended while the pile was offline.
 */
const ChargeEndSchema = z
  .object({
    op: z.literal('charge_end'),
    socket: SocketIdSchema,
    session: TransactionIdSchema,
    minutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60),
    energyWh: z.number().int().min(0).max(100_000),
    reason: z.enum(['unplugged', 'full', 'limit', 'cut', 'fault']),
  })
  .strict();

/** [FWP-11.9] A socket's plug: in, out, or the battery is full (the plug may stay in). */
const SocketEventSchema = z
  .object({
    event: z.literal('socket'),
    socket: SocketIdSchema,
    state: z.enum(['plugged', 'unplugged', 'full']),
  })
  .strict();

export type ChargingPileCapabilities = z.infer<typeof ChargingPileCapabilitiesSchema>;
export type ChargingPileTelemetry = z.infer<typeof ChargingPileTelemetrySchema>;
export type ChargeBegin = z.infer<typeof ChargeBeginSchema>;
export type ChargeEnd = z.infer<typeof ChargeEndSchema>;
export type SocketEvent = z.infer<typeof SocketEventSchema>;

export const chargingPileWire = {
  kind: 'charging_pile',
  label: 'E-bike charging pile',
  clause: 'FWP-7.6',
  capabilities: ChargingPileCapabilitiesSchema,
  telemetry: ChargingPileTelemetrySchema,
  events: [SocketEventSchema],
  requests: [ChargeBeginSchema, ChargeEndSchema],
  engineOps: ['lookup'],
  commands: {
    /** Cut the power of one socket now (fire risk, or staff's order); the pile then ends the charge with `cut`. */
    cut_socket: z
      .object({ socket: SocketIdSchema, reason: z.enum(['over_current', 'over_temperature', 'staff']) })
      .strict(),
  },
  displays: true,
} as const satisfies KindWire;
