import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../gateway/store/db.ts';
import { MIGRATIONS } from '../../gateway/store/migrations.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';

describe('Store', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('opens with WAL and synchronous=FULL (durable across power loss)', () => {
    const store = new Store(tmp.dir);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    store.close();
  });

  it('applies migrations once and refuses a database from a newer release', () => {
    const file = join(tmp.dir, 'x.db');
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(migrate(db, MIGRATIONS)).toBe(0);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this release/);
  });

  it('a failing migration leaves nothing half-applied', () => {
    const db = new Database(':memory:');
    expect(() =>
      migrate(db, [
        { version: 1, name: 'ok', sql: 'CREATE TABLE a (x INTEGER)' },
        { version: 2, name: 'bad', sql: 'CREATE TABLE b (x INTEGER); INSERT INTO nope VALUES (1);' },
      ]),
    ).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
  });

  it('keeps the health history bounded per device', () => {
    const store = new Store(tmp.dir, { historyPerDevice: 10 });
    store.devices.insert({ id: 'vm-01', kind: 'vending_machine', name: null, secretHash: 'h', capabilities: {}, now: 1 });
    store.devices.insert({ id: 'vm-02', kind: 'vending_machine', name: null, secretHash: 'h', capabilities: {}, now: 1 });
    for (let i = 0; i < 25; i++) store.health.appendHistory('vm-01', i, i % 2 ? 'ok' : 'degraded', [], `e${i}`);
    store.health.appendHistory('vm-02', 1, 'ok', [], 'only');
    expect(store.health.historyCount('vm-01')).toBe(10);
    expect(store.health.history('vm-01', 3).map((h) => h.event)).toEqual(['e24', 'e23', 'e22']);
    expect(store.health.historyCount('vm-02')).toBe(1);
    store.close();
  });

  it('closes cleanly: the WAL is checkpointed into the main file', () => {
    const store = new Store(tmp.dir);
    store.devices.insert({ id: 'a', kind: 'door_reader', name: null, secretHash: 'h', capabilities: {}, now: 1 });
    store.close();
    const again = new Database(join(tmp.dir, 'linli.db'), { readonly: true });
    expect(again.prepare('SELECT id FROM devices').all()).toEqual([{ id: 'a' }]);
    again.close();
  });
});
