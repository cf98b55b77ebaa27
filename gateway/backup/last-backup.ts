import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

/**
 * What the last verified backup was, kept beside the database so `linli doctor` and the console can say
 * how old it is without opening the backup medium (a USB stick may be unplugged).
 */
export const LastBackupSchema = z
  .object({
    /** Wall time the snapshot was taken, ms since 1970. */
    at: z.number().int().nonnegative(),
    /** Where the encrypted backup file was written. */
    file: z.string().min(1),
    bytes: z.number().int().nonnegative(),
    /** The file was read back, decrypted and checked after writing. */
    verified: z.boolean(),
  })
  .strict();
export type LastBackup = z.infer<typeof LastBackupSchema>;

export const lastBackupFile = (dataDir: string): string => join(dataDir, 'last-backup.json');

/** The last backup's record, or undefined when none was ever made (or the record is unreadable). */
export function readLastBackup(dataDir: string): LastBackup | undefined {
  let text: string;
  try {
    text = readFileSync(lastBackupFile(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = LastBackupSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole (temp file, then rename), so a power cut leaves the old record or the new one. */
export function writeLastBackup(dataDir: string, record: LastBackup): void {
  const file = lastBackupFile(dataDir);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(LastBackupSchema.parse(record))}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
