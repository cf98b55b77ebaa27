import { z } from 'zod';

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

export type GatewayState = z.infer<typeof GatewayStateSchema>;
export type DeviceState = z.infer<typeof DeviceStateSchema>;
