import * as z from 'zod';

/** [FWP-9.2] Commands every kind implements. */
export const COMMON_COMMANDS = {
  ping: z.object({}).strict(),
  reboot: z.object({ delayS: z.number().int().min(0).max(300).default(0) }).strict(),
  identify: z.object({ durationS: z.number().int().min(1).max(120).default(10) }).strict(),
  set_heartbeat: z.object({ intervalS: z.number().int().min(5).max(3600) }).strict(),
} as const;

/** [FWP-9.2] Implemented by every kind whose wire contract says it has a screen (`displays`). */
export const DISPLAY_COMMAND = {
  display_message: z
    .object({ text: z.string().min(1).max(200), durationS: z.number().int().min(1).max(600).default(10) })
    .strict(),
} as const;
