/**
 * Writes to the device holding the data folder, from /proc/diskstats (sectors are always 512 bytes
 * there, whatever the device's own sector size) over the time since boot.
 */
export interface WriteRate {
  device: string;
  bytesWritten: number;
  uptimeS: number;
  bytesPerDay: number;
}

/** The line of /proc/diskstats for major:minor, or undefined (tmpfs, overlay and the like have none). */
export function writeRate(
  diskstats: string,
  uptime: string,
  dev: { major: number; minor: number },
): WriteRate | undefined {
  const uptimeS = Number.parseFloat(uptime.trim().split(/\s+/)[0] ?? '');
  if (!Number.isFinite(uptimeS) || uptimeS <= 0) return undefined;
  for (const line of diskstats.split('\n')) {
    const f = line.trim().split(/\s+/);
    // major minor name reads merged sectors ms writes merged sectors_written ...
    if (f.length < 10 || Number(f[0]) !== dev.major || Number(f[1]) !== dev.minor) continue;
    const sectors = Number(f[9]);
    if (!Number.isFinite(sectors)) return undefined;
    const bytesWritten = sectors * 512;
    return { device: f[2] ?? '?', bytesWritten, uptimeS, bytesPerDay: (bytesWritten / uptimeS) * 86_400 };
  }
  return undefined;
}

/**
 * A rough guide, not a specification: a common 32 GB card of the kind these boxes ship with survives
 * some 10 TB of writes (a few hundred erase cycles per cell, with the card's own wear levelling).
 */
export const CARD_ENDURANCE_BYTES = 10e12;

/** Years the card lasts at this rate: the figure a person can weigh. */
export const yearsLeft = (bytesPerDay: number, endurance = CARD_ENDURANCE_BYTES): number =>
  bytesPerDay <= 0 ? Number.POSITIVE_INFINITY : endurance / bytesPerDay / 365;
