import * as z from 'zod';

/** [FWP-10.1] Retained availability of the gateway (zigbee2mqtt's availability form, plus details). */
export const GatewayStateSchema = z.object({
  state: z.enum(['online', 'offline']),
  ts: z.number().int().nonnegative(),
  protocol: z.string(),
  /** Changes on every gateway start; a device that sees a new bootId should re-send its birth. */
  bootId: z.string(),
});

/** [FWP-10.2] Retained availability and health of one device, published by the gateway. */
export const DeviceStateSchema = z.object({
  state: z.enum(['online', 'offline', 'unknown']),
  status: z.enum(['ok', 'degraded', 'fault', 'offline', 'unknown']),
  reasons: z.array(z.string()),
  ts: z.number().int().nonnegative(),
});

/** [FWP-10.3] Retained occupancy of a locker: what the gateway assigned apart from what the locker confirmed. */
export const LockerOccupancySchema = z.object({
  ts: z.number().int().nonnegative(),
  compartments: z.array(
    z.object({
      id: z.string(),
      size: z.string(),
      /** Assumed: the gateway assigned a parcel to it. */
      assigned: z.boolean(),
      /** Confirmed: the door state the locker last reported. */
      door: z.enum(['open', 'closed', 'unknown']),
      /** What the gateway told the locker to do and has not seen confirmed yet. */
      pending: z.enum(['open']).nullable(),
      jammed: z.boolean(),
    }),
  ),
});

export type LockerOccupancy = z.infer<typeof LockerOccupancySchema>;
export type GatewayState = z.infer<typeof GatewayStateSchema>;
export type DeviceState = z.infer<typeof DeviceStateSchema>;
