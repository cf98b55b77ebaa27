import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareRestoredDatabase, restoresOf } from '../../gateway/backup/restored-database.ts';
import { OutboxRepo } from '../../gateway/cloud/outbox-repo.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';

const award = (outbox: OutboxRepo, txnId: string) =>
  outbox.append('money', 'points.awarded', { memberId: 'm-1', points: 1, txnId, reason: 'activity', at: 1 });

/** [CLP-3.12] A database restored from a backup writes in a new epoch; the backup's unsent events keep theirs. */
describe('prepareRestoredDatabase', () => {
  it('new events get the new epoch numbering on from the backup; unsent old ones keep their ids', () => {
    const tmp = tempDir();
    try {
      const live = new Store(join(tmp.dir, 'live'));
      const a = new OutboxRepo(live.db, 'gw-r', () => 1);
      live.db.transaction(() => {
        for (let i = 1; i <= 5; i++) award(a, `t-${i}`);
      })();
      a.acknowledge('money', 2);
      live.close();
      const restoredDir = join(tmp.dir, 'restored');
      new Store(restoredDir).close();
      copyFileSync(join(tmp.dir, 'live', 'linli.db'), join(restoredDir, 'linli.db'));
      prepareRestoredDatabase(join(restoredDir, 'linli.db'), { now: 1000, newEpoch: 'bbbbbbbbbbbb' });

      const store = new Store(restoredDir);
      const b = new OutboxRepo(store.db, 'gw-r', () => 2);
      expect(b.epoch).toBe('bbbbbbbbbbbb');
      store.db.transaction(() => award(b, 't-6'))();
      const events = b.after('money', 0, 100);
      expect(events.map((e) => e.id)).toEqual([
        `gw-r:${a.epoch}:money:3`,
        `gw-r:${a.epoch}:money:4`,
        `gw-r:${a.epoch}:money:5`,
        'gw-r:bbbbbbbbbbbb:money:6',
      ]);
      expect(events.map((e) => e.epoch)).toEqual([a.epoch, a.epoch, a.epoch, 'bbbbbbbbbbbb']);
      expect(b.baseOf('bbbbbbbbbbbb', 'money')).toBe(5);
      expect(b.baseOf('bbbbbbbbbbbb', 'access')).toBe(0);
      expect(b.baseOf(a.epoch, 'money')).toBeUndefined();
      // acks of the old epoch stop at the restore point: the cloud's seq 6 of it is another event
      expect(b.ackCeiling(a.epoch, 'money')).toBe(5);
      expect(b.ackCeiling('bbbbbbbbbbbb', 'money')).toBe(Number.MAX_SAFE_INTEGER);
      expect(b.ackCeiling('cccccccccccc', 'money')).toBeUndefined();
      expect(restoresOf(store.db)).toEqual([
        {
          epoch: 'bbbbbbbbbbbb',
          fromEpoch: a.epoch,
          at: 1000,
          recoveredAt: null,
          points: { money: 5, access: 0, parcels: 0, health: 0, telemetry: 0 },
        },
      ]);
      store.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('refuses a malformed epoch, the epoch the database is in, or one it used before', () => {
    const tmp = tempDir();
    try {
      const store = new Store(tmp.dir);
      const a = new OutboxRepo(store.db, 'gw-r', () => 1);
      store.close();
      const file = join(tmp.dir, 'linli.db');
      expect(() => prepareRestoredDatabase(file, { now: 1, newEpoch: 'XYZ' })).toThrow(/12 lowercase hex/);
      expect(() => prepareRestoredDatabase(file, { now: 1, newEpoch: a.epoch })).toThrow(/already in epoch/);
      prepareRestoredDatabase(file, { now: 1, newEpoch: '111111111111' });
      prepareRestoredDatabase(file, { now: 2, newEpoch: '222222222222' });
      expect(() => prepareRestoredDatabase(file, { now: 3, newEpoch: '111111111111' })).toThrow(/used before/);
    } finally {
      tmp.cleanup();
    }
  });
});
