import { openSync, statSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeLastBackup } from '../../gateway/backup/last-backup.ts';
import { backupCheck } from '../../gateway/doctor/backup-check.ts';
import { databaseCheck } from '../../gateway/doctor/database-check.ts';
import { systemIo } from '../../gateway/doctor/system-io.ts';
import { SqliteLedger } from '../../gateway/redemption/ledger/sqlite-ledger.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';
import { fakeContext, NOW } from './fake-box.ts';

const HOUR = 3_600_000;

describe('doctor: the database and its ledger', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('linli-doctor-db-');
  });
  afterEach(() => tmp.cleanup());
  const check = () => databaseCheck.run({ ...fakeContext({}, { dataDir: tmp.dir }), io: systemIo });
  /** A database whose ledger holds 200 top-ups and 200 payments. */
  const demo = () => {
    const store = new Store(tmp.dir);
    const ledger = new SqliteLedger(store.db);
    const mv = (account: string, delta: number, i: number) =>
      ({ at: 1, txnId: `t${i}`, redemptionId: `r${i}`, account, asset: 'fen', delta, reason: 'topup' }) as const;
    store.db.transaction(() => {
      for (let i = 0; i < 200; i++) {
        ledger.append([mv('issuer:stored-value', -1000, i), mv(`wallet:m-${i}`, 1000, i)]);
        ledger.append([mv(`wallet:m-${i}`, -300, i), mv('merchant:x', 300, i)]);
      }
    })();
    return store;
  };

  it('warn: no database yet', async () => {
    expect((await check())[0]).toMatchObject({ id: 'database', status: 'warn' });
  });

  it('ok: quick_check and the ledger, on a read-only connection beside the open writer', async () => {
    const store = demo();
    try {
      const found = await check();
      expect(found.map((f) => [f.id, f.status])).toEqual([
        ['database.quick-check', 'ok'],
        ['database.ledger', 'ok'],
      ]);
      expect(found[1]?.message).toBe('ledger verified: 800 entries, 202 accounts');
    } finally {
      store.close();
    }
  });

  it('fail: a balance that no longer equals its ledger, with `linli ledger verify` to see all', async () => {
    const store = demo();
    store.db.prepare('UPDATE balances SET balance = balance + 1 WHERE rowid = (SELECT min(rowid) FROM balances)').run();
    store.close();
    const [, ledger] = await check();
    expect(ledger).toMatchObject({
      id: 'database.ledger',
      status: 'fail',
      message: expect.stringContaining('balance_mismatch'),
      fix: expect.stringContaining('linli ledger verify'),
    });
  });

  it('fail: a damaged file (pages overwritten on disk)', async () => {
    demo().close();
    const file = join(tmp.dir, 'linli.db');
    const fd = openSync(file, 'r+');
    const size = statSync(file).size;
    // every page after the first two: the schema survives, the tables do not
    for (let at = 8192; at < size; at += 4096) writeSync(fd, Buffer.alloc(512, 0x5a), 0, 512, at + 16);
    closeSync(fd);
    const found = await check();
    expect(found.some((f) => f.id.startsWith('database') && f.status === 'fail')).toBe(true);
  });
});

describe('doctor: the last backup’s age', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('linli-doctor-bk-');
  });
  afterEach(() => tmp.cleanup());
  const backupAt = async (at: number, verified = true) => {
    writeLastBackup(tmp.dir, { at, file: '/media/usb/linli-1.lbk', bytes: 1000, verified });
    return (await backupCheck.run(fakeContext({}, { dataDir: tmp.dir })))[0];
  };

  it('fail when no backup was ever made', async () => {
    const [f] = await backupCheck.run(fakeContext({}, { dataDir: tmp.dir }));
    expect(f).toMatchObject({ status: 'fail', fix: expect.stringContaining('linli backup') });
  });

  it('ok within 2 days, warn after 2, fail after 7; an unverified backup fails', async () => {
    expect(await backupAt(NOW - 5 * HOUR)).toMatchObject({ status: 'ok', message: expect.stringContaining('5 h ago') });
    expect(await backupAt(NOW - 3 * 24 * HOUR)).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('3.0 days'),
    });
    expect(await backupAt(NOW - 8 * 24 * HOUR)).toMatchObject({ status: 'fail' });
    expect(await backupAt(NOW - HOUR, false)).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('could not be verified'),
    });
  });
});
