import * as z from 'zod';

export const FindingStatusSchema = z.enum(['ok', 'warn', 'fail']);
export type FindingStatus = z.infer<typeof FindingStatusSchema>;

/** One thing `linli doctor` looked at, what it found, and the one line a person types or does about it. */
export const FindingSchema = z
  .object({
    /** Stable, dotted: the check, then what it looked at (`ports.mqtt-tls`, `certificates.server`). */
    id: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$/),
    status: FindingStatusSchema,
    message: z.string().min(1),
    /** Empty when there is nothing to do. */
    fix: z.string(),
  })
  .strict();
export type Finding = z.infer<typeof FindingSchema>;

/** What `linli doctor --json` prints and GET /api/v1/doctor answers. */
export const DoctorReportSchema = z
  .object({
    /** Wall time the checks ran, ms since 1970. */
    at: z.number().int().nonnegative(),
    /** How long all the checks took together. */
    tookMs: z.number().int().nonnegative(),
    /** The worst status found. */
    status: FindingStatusSchema,
    /** 0 all ok, 1 warnings only, 2 any failure: the CLI's exit code. */
    exitCode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
    counts: z.object({ ok: z.number().int(), warn: z.number().int(), fail: z.number().int() }).strict(),
    /** Problems first (failures, then warnings), each group in the order the checks ran. */
    findings: z.array(FindingSchema),
  })
  .strict();
export type DoctorReport = z.infer<typeof DoctorReportSchema>;

export const ok = (id: string, message: string): Finding => ({ id, status: 'ok', message, fix: '' });
export const warn = (id: string, message: string, fix: string): Finding => ({ id, status: 'warn', message, fix });
export const fail = (id: string, message: string, fix: string): Finding => ({ id, status: 'fail', message, fix });
