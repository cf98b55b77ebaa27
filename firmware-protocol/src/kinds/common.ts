import * as z from 'zod';

/** Open/closed as reported by a sensor; "unknown" when the sensor cannot tell. */
export const DoorStateSchema = z.enum(['open', 'closed', 'unknown']);

/** [FWP-7.1] Fields any kind may report in telemetry. */
export const CommonTelemetryShape = {
  uptimeS: z.number().int().nonnegative().optional(),
  temperatureC: z.number().min(-60).max(150).optional(),
  rssiDbm: z.number().int().min(-150).max(0).optional(),
  /** Active fault codes of the device's own catalogue, e.g. "E_COIN_JAM". Empty or absent = no fault. */
  faults: z.array(z.string().min(1).max(48)).max(32).optional(),
  /** Active warnings; they degrade but do not fault the device. */
  warnings: z.array(z.string().min(1).max(48)).max(32).optional(),
};
