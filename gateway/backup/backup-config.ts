import * as z from 'zod';

/** A path a running service can rely on whatever its working folder. */
const AbsolutePath = z.string().regex(/^\//, 'expected an absolute path');

/**
 * `backup`: scheduled backups by the running gateway to a second medium (a USB stick), encrypted with a
 * key file or a passphrase file, verified, the oldest beyond `keep` deleted.
 */
export const BackupConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Time of day in the community's timezone (gateway.timezone), 24-hour HH:MM; or everyH. */
    at: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM, 24-hour')
      .optional(),
    /** Every this many hours instead of a time of day. */
    everyH: z
      .number()
      .int()
      .min(1)
      .max(24 * 7)
      .optional(),
    /** The folder backups go to, e.g. /media/usb/linli-backups; must exist (the stick mounted). */
    target: AbsolutePath.optional(),
    /**
     * The target must be on another disk than the data folder: an unmounted stick leaves its mount
     * point as an empty folder on the SD card, and a backup there is lost with the card.
     */
    separateMedium: z.boolean().default(true),
    /** 32 random bytes (raw or 64 hex digits), 0600: `openssl rand -hex 32`. */
    keyFile: AbsolutePath.optional(),
    /** A passphrase on the file's first line, 0600. */
    passphraseFile: AbsolutePath.optional(),
    /** Verified backups kept in the target; older ones are deleted (never the only good one). */
    keep: z.number().int().min(1).max(1000).default(7),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.at !== undefined && b.everyH !== undefined)
      ctx.addIssue({ code: 'custom', message: 'give at (time of day) or everyH, not both', path: ['everyH'] });
    if (b.keyFile !== undefined && b.passphraseFile !== undefined)
      ctx.addIssue({ code: 'custom', message: 'give keyFile or passphraseFile, not both', path: ['passphraseFile'] });
    if (!b.enabled) return;
    if (b.target === undefined)
      ctx.addIssue({ code: 'custom', message: 'scheduled backups need a target folder', path: ['target'] });
    if (b.keyFile === undefined && b.passphraseFile === undefined)
      ctx.addIssue({ code: 'custom', message: 'scheduled backups need keyFile or passphraseFile', path: ['keyFile'] });
  });
export type BackupConfig = z.infer<typeof BackupConfigSchema>;

/** When a scheduled backup is due, from the config: 03:30 local time unless told otherwise. */
export type BackupPlan = { kind: 'daily'; hour: number; minute: number } | { kind: 'every'; ms: number };

export function backupPlan(b: Pick<BackupConfig, 'at' | 'everyH'>): BackupPlan {
  if (b.everyH !== undefined) return { kind: 'every', ms: b.everyH * 3600_000 };
  const [h, m] = (b.at ?? '03:30').split(':').map(Number);
  return { kind: 'daily', hour: h ?? 3, minute: m ?? 30 };
}
