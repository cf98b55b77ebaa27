import * as z from 'zod';

/** A device's health as staff, the dashboard and the cloud see it [FWP-10.2]. */
export const HealthStatusSchema = z.enum(['ok', 'degraded', 'fault', 'offline', 'unknown']);
export type HealthStatus = z.infer<typeof HealthStatusSchema>;
