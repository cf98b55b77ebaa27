import * as z from 'zod';
export { ApiErrorSchema, iso, RecordIdSchema, ROUTE_ERRORS } from './api-error.ts';
import { DeviceIdSchema } from '../../firmware-protocol/src/kinds/device-id.ts';
import { DeviceKindSchema } from '../../firmware-protocol/src/kinds/device-kind.ts';
import { StaffRoleSchema } from '../security/staff-tokens.ts';

/** The API's error body: a stable code from the one catalogue, a message for people, optional details. */

const HealthReasonSchema = z.object({ code: z.string(), message: z.string() });
export { HealthStatusSchema } from '../health/health-status.ts';
import { HealthStatusSchema } from '../health/health-status.ts';

export const DeviceSummarySchema = z.object({
  id: DeviceIdSchema,
  kind: DeviceKindSchema,
  kindLabel: z.string(),
  name: z.string().nullable(),
  disabled: z.boolean(),
  online: z.boolean(),
  status: HealthStatusSchema,
  reasons: z.array(HealthReasonSchema),
  firmware: z.string().nullable(),
  lastSeenAt: z.string().nullable().describe('ISO 8601'),
  summary: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

export const DeviceDetailSchema = DeviceSummarySchema.extend({
  capabilities: z.unknown(),
  commands: z.array(z.string()),
  telemetry: z.unknown().nullable(),
  telemetryAt: z.string().nullable(),
  session: z.object({
    connected: z.boolean(),
    address: z.string().nullable(),
    bdSeq: z.number().nullable(),
    heartbeatS: z.number(),
    startedAt: z.string().nullable(),
    seqGaps: z.number(),
    duplicates: z.number(),
    badMessages: z.number(),
  }),
  createdAt: z.string(),
  secretRotatedAt: z.string(),
});

export const HealthHistorySchema = z.object({
  items: z.array(
    z.object({ at: z.string(), status: HealthStatusSchema, reasons: z.array(HealthReasonSchema), event: z.string() }),
  ),
});

export const DeviceIdParamsSchema = z.object({ id: DeviceIdSchema });

export const ProvisionResponseSchema = z.object({
  id: DeviceIdSchema,
  kind: DeviceKindSchema,
  secret: z.string().describe('Shown once. Store it in the device; the gateway keeps only a hash.'),
  caSha256: z
    .string()
    .optional()
    .describe("SHA-256 fingerprint of the gateway's local CA, which the device pins [FWP-1.4]; absent without one"),
});

export const TokenCreateSchema = z
  .object({
    role: StaffRoleSchema,
    label: z.string().min(1).max(100).optional(),
    /** A shop's token: only that shop's redemptions (list, read, reverse). Viewer or operator. */
    merchantId: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((t) => t.merchantId === undefined || t.role !== 'admin', {
    message: 'a shop token (merchantId) is viewer or operator, never admin',
    path: ['role'],
  });
export const TokenCreatedSchema = z.object({
  id: z.string(),
  role: StaffRoleSchema,
  merchantId: z.string().nullable(),
  token: z.string().describe('Shown once.'),
});
export const TokenListSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      role: StaffRoleSchema,
      label: z.string().nullable(),
      merchantId: z.string().nullable(),
      createdAt: z.string(),
      lastUsedAt: z.string().nullable(),
      revoked: z.boolean(),
    }),
  ),
});

export const GatewayHealthSchema = z.object({
  status: z.enum(['ok', 'starting', 'stopping']),
  ready: z.boolean(),
  bootId: z.string(),
  uptimeS: z.number(),
  broker: z.object({ connections: z.number(), devicesConnected: z.number() }),
  database: z.enum(['ok', 'error']),
  devices: z.record(HealthStatusSchema, z.number()),
  /** Events on the gateway's bus since start, by kind (device.health, redemption.settled, alert.raised, ...). */
  events: z.record(z.string(), z.number()),
  /** How long the event loop was blocked (ms) since the gateway started serving: every device waits behind it. */
  eventLoop: z.object({ p50Ms: z.number(), p99Ms: z.number(), maxMs: z.number() }),
  /**
   * The process's memory (MB): resident, the JavaScript heap in use and reserved, and memory outside it
   * (buffers; SQLite's page caches count in rss only). A Pi has little: watch rss.
   */
  memory: z.object({ rssMb: z.number(), heapUsedMb: z.number(), heapTotalMb: z.number(), externalMb: z.number() }),
  /** The box's own NFC reader, GPIO and tamper switch: a missing reader or daemon shows here as a warning. */
  hardware: z.array(z.object({ component: z.string(), state: z.string(), warning: z.string().optional() })),
  /** Cloud sync: connected, and how many events wait in the outbox for the cloud's acknowledgement. */
  cloud: z.object({
    enabled: z.boolean(),
    connected: z.boolean(),
    session: z.number(),
    backlogEvents: z.number(),
    overBudget: z.boolean(),
    /** The hotlist's version and age (cloud time); stale: plain UID cards may not pay. */
    hotlist: z.object({ version: z.number(), ageS: z.number().nullable(), stale: z.boolean() }),
  }),
  /** The wall clock: a box without a real-time clock may start in 1970 or jump when NTP catches up. */
  clock: z.object({
    state: z.enum(['ok', 'unsynced', 'skewed', 'jumped', 'behind']),
    offsetMs: z.number().nullable(),
    jumps: z.number(),
    lastJumpAt: z.number().nullable(),
  }),
});
