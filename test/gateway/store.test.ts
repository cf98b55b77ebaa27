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
    expect(() => openDatabase(file)).toThrow(/written by a newer linli.*nothing was changed/);
  });

  it('migration 14 keeps every redemption, benefit and parcel, and makes txn unique per device', () => {
    const file = join(tmp.dir, 'old.db');
    const db = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 13) });
    db.exec(`INSERT INTO members (id, tier, updated_at) VALUES ('m-1', 'regular', 0);
      INSERT INTO redemptions (id, txn_id, fingerprint, device_id, merchant_id, member_id, state, created_at,
          payable_fen, saving_fen, points_cost, points_earned, result)
        VALUES ('r-1', 't-1', 'f', 'scanner-01', 'cafe', 'm-1', 'captured', 1, 100, 0, 0, 0, '{}');
      INSERT INTO redemption_benefits (redemption_id, campaign_id, saving_fen) VALUES ('r-1', 'c-1', 10);
      INSERT INTO parcels (id, txn_id, locker_id, compartment, member_id, tracking, size, status, created_at)
        VALUES ('p-1', 'd-1', 'locker-01', 'C1', 'm-1', 'X', 'M', 'stored', 1);`);
    db.close();
    const upgraded = openDatabase(file);
    expect(upgraded.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(upgraded.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(upgraded.prepare('SELECT id, txn_id, device_id FROM redemptions').all()).toEqual([
      { id: 'r-1', txn_id: 't-1', device_id: 'scanner-01' },
    ]);
    expect(upgraded.prepare('SELECT COUNT(*) AS n FROM redemption_benefits').get()).toEqual({ n: 1 });
    expect(upgraded.pragma('foreign_key_check')).toEqual([]);
    const insert =
      upgraded.prepare(`INSERT INTO redemptions (id, txn_id, fingerprint, device_id, merchant_id, member_id,
        state, created_at, payable_fen, saving_fen, points_cost, points_earned, result)
      VALUES (?, ?, 'f', ?, 'cafe', 'm-1', 'captured', 1, 100, 0, 0, 0, '{}')`);
    insert.run('r-2', 't-1', 'scanner-02'); // another till's t-1 is another purchase
    expect(() => insert.run('r-3', 't-1', 'scanner-01')).toThrow(/UNIQUE/);
    insert.run('r-4', 'api-1', null);
    expect(() => insert.run('r-5', 'api-1', null)).toThrow(/UNIQUE/); // purchases without a device share one space
    const parcel = upgraded.prepare(
      'INSERT INTO parcels (id, txn_id, locker_id, compartment, member_id, tracking, size, status, created_at) ' +
        `VALUES (?, 'd-1', ?, 'C2', 'm-1', 'Y', 'M', 'stored', 1)`,
    );
    parcel.run('p-2', 'locker-02');
    expect(() => parcel.run('p-3', 'locker-01')).toThrow(/UNIQUE/);
    upgraded.close();
  });

  it("migration 17 drops the ledger's index by account and keeps every entry and balance", () => {
    const file = join(tmp.dir, 'v16.db');
    const db = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 16) });
    const index = (d: Database.Database) =>
      d.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name = 'ledger_account'").get();
    expect(index(db)).toEqual({ name: 'ledger_account' });
    db.exec(`INSERT INTO ledger (seq, at, txn_id, redemption_id, account, asset, delta, reason, prev_hash, hash)
        VALUES (1, 0, 't', '-', 'wallet:m-1', 'fen', 500, 'topup', 'g', 'h');
      INSERT INTO balances (account, asset, balance) VALUES ('wallet:m-1', 'fen', 500);`);
    db.close();
    const upgraded = openDatabase(file);
    expect(index(upgraded)).toBeUndefined();
    expect(upgraded.prepare('SELECT COUNT(*) AS n FROM ledger').get()).toEqual({ n: 1 });
    expect(upgraded.prepare('SELECT balance FROM balances').get()).toEqual({ balance: 500 });
    // the queries the gateway runs on the ledger do not need it
    const plan = (sql: string) =>
      (upgraded.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan("SELECT * FROM ledger WHERE redemption_id = 'r-1' ORDER BY seq")).toMatch(/ledger_redemption/);
    upgraded.close();
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
    store.devices.insert({
      id: 'vm-01',
      kind: 'vending_machine',
      name: null,
      secretHash: 'h',
      capabilities: {},
      now: 1,
    });
    store.devices.insert({
      id: 'vm-02',
      kind: 'vending_machine',
      name: null,
      secretHash: 'h',
      capabilities: {},
      now: 1,
    });
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
