import { randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES, DamagedBackupError, MAGIC, WrongKeyError } from '../../gateway/backup/backup-crypto.ts';
import { makeBackup } from '../../gateway/backup/make-backup.ts';
import { checkBackup, UnusableBackupError } from '../../gateway/backup/verify-backup.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';
import { FAST_SCRYPT, PASS } from './backup-support.ts';

/** Where each encrypted chunk starts in a backup file (after the header). */
function chunkStarts(bytes: Buffer): number[] {
  let at = MAGIC.length + 4 + bytes.readUInt32BE(MAGIC.length);
  const starts: number[] = [];
  while (at < bytes.length) {
    starts.push(at);
    at += 4 + bytes.readUInt32BE(at) + 16;
  }
  return starts;
}

describe('a changed backup file is always detected', () => {
  let tmp: ReturnType<typeof tempDir>;
  let good: Buffer;
  let n = 0;
  beforeAll(async () => {
    tmp = tempDir('linli-tamper-');
    const dataDir = join(tmp.dir, 'data');
    const store = new Store(dataDir);
    // incompressible filler: the file spans three chunks, so chunk order and a dropped chunk are tested too
    store.db.exec('CREATE TABLE filler (b BLOB)');
    store.db.prepare('INSERT INTO filler VALUES (?)').run(randomBytes(Math.floor(CHUNK_BYTES * 2.2)));
    store.close();
    writeFileSync(join(dataDir, 'secrets.json'), '{}\n', { mode: 0o600 });
    mkdirSync(join(tmp.dir, 'out'));
    const r = await makeBackup({
      dataDir,
      gatewayId: 'linli-gw',
      secret: PASS,
      target: join(tmp.dir, 'out'),
      now: () => 1,
      scrypt: FAST_SCRYPT,
    });
    good = readFileSync(r.file);
  });
  afterAll(() => tmp.cleanup());

  /** Checks a changed copy: it must be refused with one of the backup errors, never read as good. */
  const refused = async (bytes: Buffer): Promise<Error> => {
    n += 1;
    const file = join(tmp.dir, `changed-${n}.linlibak`);
    writeFileSync(file, bytes);
    try {
      await checkBackup(file, PASS, join(tmp.dir, `work-${n}`));
    } catch (err) {
      expect([WrongKeyError, DamagedBackupError, UnusableBackupError].some((E) => err instanceof E)).toBe(true);
      return err as Error;
    } finally {
      rmSync(file, { force: true });
      rmSync(join(tmp.dir, `work-${n}`), { recursive: true, force: true });
    }
    throw new Error('a changed backup was accepted');
  };

  it('the unchanged file checks out', async () => {
    expect(chunkStarts(good)).toHaveLength(3);
    const file = join(tmp.dir, 'same.linlibak');
    writeFileSync(file, good);
    await expect(checkBackup(file, PASS, join(tmp.dir, 'same'))).resolves.toMatchObject({ header: { format: 1 } });
  });

  it('one flipped byte anywhere: header, lengths, ciphertext, tags, the last byte', async () => {
    const starts = chunkStarts(good);
    const edges = [
      0,
      MAGIC.length,
      MAGIC.length + 4,
      ...starts.flatMap((s) => [s, s + 3, s + 4, s - 1]),
      good.length - 1,
    ];
    for (const at of edges) {
      const bad = Buffer.from(good);
      bad[at] = (bad[at] as number) ^ 0x01;
      await refused(bad);
    }
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, mask) => {
        const bad = Buffer.from(good);
        bad[at] = (bad[at] as number) ^ mask;
        await refused(bad);
      }),
      { numRuns: 40, seed: 13 },
    );
  });

  it('cut short, a chunk dropped, chunks swapped, bytes appended', async () => {
    const [, second, third] = chunkStarts(good) as [number, number, number];
    expect((await refused(good.subarray(0, third))).message).toMatch(/cut short/);
    expect((await refused(good.subarray(0, good.length - 1))).message).toMatch(/cut short/);
    const dropped = Buffer.concat([good.subarray(0, second), good.subarray(third)]);
    await refused(dropped);
    const swapped = Buffer.concat([
      good.subarray(0, chunkStarts(good)[0]),
      good.subarray(second, third),
      good.subarray(chunkStarts(good)[0], second),
      good.subarray(third),
    ]);
    await refused(swapped);
    expect((await refused(Buffer.concat([good, Buffer.from([0])]))).message).toMatch(/cut short|appended/);
    const file = join(tmp.dir, 'trunc.linlibak');
    copyFileSync(join(tmp.dir, 'same.linlibak'), file);
    truncateSync(file, 10);
    appendFileSync(file, 'x');
    await expect(checkBackup(file, PASS, join(tmp.dir, 'trunc'))).rejects.toThrow(DamagedBackupError);
  });
});
