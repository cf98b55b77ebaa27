import * as z from 'zod';
import { ERROR_CODES } from '../../../firmware-protocol/src/errors.ts';
import { DeviceIdSchema } from '../../../firmware-protocol/src/kinds/device-id.ts';
import { DeviceKindSchema } from '../../../firmware-protocol/src/kinds/device-kind.ts';
import { HealthStatusSchema } from '../../health/health-status.ts';
import { CountSchema, EpochMsSchema } from './common.ts';

/** [CLP-4.7] `device.health`: a device's health verdict changed. */
export const DeviceHealthSchema = z
  .object({
    deviceId: DeviceIdSchema,
    kind: DeviceKindSchema,
    status: HealthStatusSchema,
    previous: HealthStatusSchema,
    /**
     * Codes of the reasons for the new status, e.g. `OFFLINE`,
     * `DOOR_LEFT_OPEN`, `FLAPPING`, a device's own fault code [FWP-7.1].
     */
    reasons: z.array(z.string().min(1).max(64)).max(64),
    /** What caused the change, e.g. `birth`, `telemetry`, `heartbeat_timeout`, `death:shutdown`, `snapshot`. */
    event: z.string().min(1).max(64),
    at: EpochMsSchema,
  })
  .strict();

/** [CLP-4.8] The end of a rollout's delivery to one device: delivered, or failed with an error code [FWP-6.2]. */
const rolloutEvent = <E extends z.ZodType>(error: E) =>
  z
    .object({
      rolloutId: z.string().min(1).max(64),
      deviceId: DeviceIdSchema,
      attempts: z.number().int().min(1),
      error,
      at: EpochMsSchema,
    })
    .strict();
export const RolloutDeliveredSchema = rolloutEvent(z.null());
export const RolloutFailedSchema = rolloutEvent(z.enum(ERROR_CODES));

/**
 * [CLP-4.11] `alert.changed`: an alert staff see in the console was raised, acknowledged or cleared. No
 * person's name or note: who acknowledged and why stay on the box.
 */
export const StaffAlertSchema = z
  .object({
    alertId: z.number().int().positive(),
    transition: z.enum(['raised', 'acknowledged', 'cleared']),
    deviceId: DeviceIdSchema.nullable(),
    code: z.string().min(1).max(96),
    severity: z.enum(['critical', 'warning', 'info']),
    message: z.string().max(500),
    raisedAt: EpochMsSchema,
    at: EpochMsSchema,
  })
  .strict();

/** [CLP-4.9] Alerts about the gateway itself; the code says which, `active` whether it began or ended. */
export const GATEWAY_ALERT_CODES = ['OUTBOX_OVER_BUDGET'] as const;
export const GatewayAlertSchema = z
  .object({
    code: z.enum(GATEWAY_ALERT_CODES),
    active: z.boolean(),
    /** For OUTBOX_OVER_BUDGET: the outbox's size in bytes when it crossed the budget. */
    bytes: CountSchema,
    at: EpochMsSchema,
  })
  .strict();

/** [CLP-4.10] `telemetry.summary`: device health in numbers, every `cloud.telemetryEveryS` (droppable). */
export const TelemetrySummarySchema = z
  .object({
    /** Devices per health status; every status is present. */
    devices: z.record(HealthStatusSchema, CountSchema),
    /** Per device kind present on the gateway: how many are provisioned and how many are online. */
    byKind: z.partialRecord(DeviceKindSchema, z.object({ total: CountSchema, online: CountSchema }).strict()),
    /** MQTT connections to the gateway's broker now (devices and integrations). */
    connections: CountSchema,
    at: EpochMsSchema,
  })
  .strict();
