import type { Check } from './context.ts';
import { nearestFolder } from './nearest-folder.ts';
import { fail, ok, warn } from './finding.ts';

const MB = 1024 * 1024;
/** Below these the outbox, the WAL and a migration may not fit: the gateway stops taking money before that. */
export const DISK_FAIL = { bytes: 256 * MB, share: 0.02 };
export const DISK_WARN = { bytes: 1024 * MB, share: 0.1 };

export const humanBytes = (b: number): string =>
  b >= 1024 * MB ? `${(b / (1024 * MB)).toFixed(1)} GB` : `${Math.round(b / MB)} MB`;

/** Free space on the data folder's filesystem (statfs: what an unprivileged user may still write). */
export const diskSpaceCheck: Check = {
  id: 'disk-space',
  async run(ctx) {
    const dir = (await nearestFolder(ctx.io, ctx.config.dataDir))?.path ?? ctx.config.dataDir;
    const fs = await ctx.io.statfs(dir);
    if (!fs) return [warn('disk-space', `cannot read the free space of ${dir}'s filesystem`, `df -h ${dir}`)];
    const share = fs.totalBytes > 0 ? fs.freeBytes / fs.totalBytes : 0;
    const free = `${humanBytes(fs.freeBytes)} free of ${humanBytes(fs.totalBytes)}`;
    const text = `${free} (${Math.round(share * 100)}%) on ${dir}`;
    const fix =
      'free space: sudo journalctl --vacuum-size=100M; sudo apt-get clean; ' +
      `see what is big: du -xh ${dir} | sort -h`;
    if (fs.freeBytes < DISK_FAIL.bytes || share < DISK_FAIL.share) return [fail('disk-space', text, fix)];
    if (fs.freeBytes < DISK_WARN.bytes || share < DISK_WARN.share) return [warn('disk-space', text, fix)];
    return [ok('disk-space', text)];
  },
};
