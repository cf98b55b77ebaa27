import { describe, expect, it } from 'vitest';
import { diskSpaceCheck } from '../../gateway/doctor/disk-space-check.ts';
import { diskWearCheck } from '../../gateway/doctor/disk-wear-check.ts';
import { writeRate } from '../../gateway/doctor/disk-wear.ts';
import { fakeContext } from './fake-box.ts';

const GB = 1024 ** 3;
const D = '/var/lib/linli';

/** A Raspberry Pi's /proc/diskstats: the SD card and its two partitions; the data folder is on mmcblk0p2. */
const diskstats = (sectorsWritten: number) =>
  [
    ' 179       0 mmcblk0 24571 9620 1740610 23517 182933 142651 9999999 1010651 0 416972 1034922 0 0 0 0',
    ' 179       1 mmcblk0p1 245 1014 15466 152 1 0 1 0 0 171 152 0 0 0 0',
    ` 179       2 mmcblk0p2 24259 8606 1721768 23329 182932 142651 ${sectorsWritten} 1010650 0 416788 1033979 0 0 0 0`,
    '   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
  ].join('\n');

const wear = (sectorsWritten: number, uptimeS: number, dev = { major: 179, minor: 2 }) =>
  fakeContext({
    files: {
      [D]: { isDirectory: true, dev },
      '/proc/diskstats': { text: diskstats(sectorsWritten) },
      '/proc/uptime': { text: `${uptimeS}.17 123456.78\n` },
    },
  });

describe('doctor: disk space', () => {
  const space = (freeBytes: number, totalBytes = 32 * GB) =>
    diskSpaceCheck.run(fakeContext({ statfs: { freeBytes, totalBytes } }));

  it('ok with room, warn under 1 GB or 10 %, fail under 256 MB or 2 %', async () => {
    expect((await space(20 * GB))[0]).toMatchObject({ status: 'ok', message: expect.stringContaining('20.0 GB free') });
    expect((await space(0.9 * GB, 8 * GB))[0]?.status).toBe('warn');
    expect((await space(2 * GB, 32 * GB))[0]?.status).toBe('warn');
    expect((await space(200 * 1024 ** 2, 8 * GB))[0]?.status).toBe('fail');
    expect((await space(1.5 * GB, 100 * GB))[0]).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('du -xh'),
    });
  });

  it('before the first start: the filesystem of the nearest folder above the data folder', async () => {
    const io = fakeContext({
      files: { '/var/lib': { isDirectory: true } },
      statfs: { freeBytes: 20 * GB, totalBytes: 32 * GB },
    });
    expect((await diskSpaceCheck.run(io))[0]?.message).toBe('20.0 GB free of 32.0 GB (63%) on /var/lib');
  });

  it('warn when the filesystem cannot be read', async () => {
    expect((await diskSpaceCheck.run(fakeContext({})))[0]?.status).toBe('warn');
  });
});

describe('doctor: SD-card wear from /proc/diskstats', () => {
  it('reads the partition holding the data folder: sectors of 512 bytes over the time since boot', () => {
    const r = writeRate(diskstats(2_000_000), '86400.00 1.00', { major: 179, minor: 2 });
    expect(r).toEqual({
      device: 'mmcblk0p2',
      bytesWritten: 1_024_000_000,
      uptimeS: 86_400,
      bytesPerDay: 1_024_000_000,
    });
    expect(writeRate(diskstats(1), '100', { major: 8, minor: 1 })).toBeUndefined();
    expect(writeRate(diskstats(1), 'garbage', { major: 179, minor: 2 })).toBeUndefined();
  });

  it('ok at 1 GB/day (a common card lasts decades)', async () => {
    const [f] = await diskWearCheck.run(wear(2_000_000, 86_400));
    expect(f).toMatchObject({ status: 'ok', message: expect.stringContaining('mmcblk0p2 writes 1.02 GB/day') });
  });

  it('warn at 10 GB/day (under 5 years), fail at 40 GB/day (under a year), with what to do', async () => {
    const [w] = await diskWearCheck.run(wear(20_000_000, 86_400));
    expect(w).toMatchObject({ status: 'warn', message: expect.stringContaining('lasts ~2.7 years') });
    const [f] = await diskWearCheck.run(wear(80_000_000, 86_400));
    expect(f).toMatchObject({ status: 'fail', fix: expect.stringContaining('iotop') });
  });

  it('too early after boot, or not on a block device: ok, saying so', async () => {
    expect((await diskWearCheck.run(wear(80_000_000, 600)))[0]).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('too early'),
    });
    expect((await diskWearCheck.run(wear(80_000_000, 86_400, { major: 0, minor: 44 })))[0]).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('not on a block device'),
    });
  });

  it('warn when /proc cannot be read (not Linux)', async () => {
    const [f] = await diskWearCheck.run(fakeContext({ files: { [D]: { isDirectory: true } } }));
    expect(f?.status).toBe('warn');
  });
});
