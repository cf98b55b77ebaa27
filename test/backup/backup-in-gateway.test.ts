import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLastBackup } from '../../gateway/backup/last-backup.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { startGateway, waitFor } from '../support/gateway-harness.ts';
import { tempDir } from '../support/tmp.ts';
import { keyFile } from './backup-support.ts';

describe('the gateway makes its scheduled backups (config backup)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let target: string;
  beforeEach(() => {
    tmp = tempDir('linli-gwbackup-');
    target = join(tmp.dir, 'stick');
    mkdirSync(target);
  });
  afterEach(() => tmp.cleanup());

  const config = () => ({
    backup: { enabled: true, at: '03:30', target, keyFile: keyFile(tmp.dir), separateMedium: false, keep: 3 },
  });

  it('when its clock says so, and records it for linli doctor', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 30, 18, 0));
    const h = await startGateway(config(), { clock });
    try {
      expect(readdirSync(target)).toEqual([]);
      clock.advance(30_000);
      await waitFor(() => readLastBackup(h.dataDir) !== undefined, 'the first scheduled backup', 20_000);
      expect(readdirSync(target)).toEqual(['linli-gw-20261130-180030Z.linlibak']);
      expect(readLastBackup(h.dataDir)).toMatchObject({
        verified: true,
        file: join(target, readdirSync(target)[0] ?? ''),
      });
    } finally {
      await h.stop();
    }
  });

  it('a stop during a backup abandons it: the gateway stops, no partial file is left', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 30, 18, 0));
    const h = await startGateway(config(), { clock });
    clock.advance(30_000); // the backup starts on this tick
    await h.stop();
    expect(readdirSync(target).filter((n) => n.includes('.partial-'))).toEqual([]);
  });
});
