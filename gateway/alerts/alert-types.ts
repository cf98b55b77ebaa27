import * as z from 'zod';

/** How urgently an alert needs a person: critical pages someone, warning is for the next round, info is a note. */
export const AlertSeveritySchema = z.enum(['critical', 'warning', 'info']);
export type AlertSeverity = z.infer<typeof AlertSeveritySchema>;

/** What happened to an alert: it was raised, a person acknowledged it, or it cleared (by itself or by staff). */
export const AlertTransitionSchema = z.enum(['raised', 'acknowledged', 'cleared']);
export type AlertTransition = z.infer<typeof AlertTransitionSchema>;

/**
 * One alert as the console, the cloud, metrics and webhooks see it. `key` names the condition (a device's
 * door left open, the cloud link down) so the same condition is one alert however often it is seen.
 */
export const AlertSchema = z.object({
  id: z.number().int().positive(),
  key: z.string(),
  /** null for the gateway's own conditions (cloud link down, clock untrusted, ...). */
  deviceId: z.string().nullable(),
  code: z.string(),
  severity: AlertSeveritySchema,
  message: z.string(),
  /** Wall-clock ms. */
  raisedAt: z.number().int(),
  lastSeenAt: z.number().int(),
  acknowledged: z.object({ at: z.number().int(), by: z.string(), note: z.string() }).nullable(),
  cleared: z.object({ at: z.number().int(), by: z.string().nullable() }).nullable(),
});
export type Alert = z.infer<typeof AlertSchema>;

/** What the alert service tells its listeners (console stream, webhooks, metrics, cloud) on every transition. */
export interface AlertNotice {
  transition: AlertTransition;
  alert: Alert;
  /** The device's display name when the alert is a device's, for messages people read. */
  deviceName?: string | undefined;
}
