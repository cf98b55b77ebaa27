import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Gateway } from '../../gateway/app.ts';
import { ConfigSchema } from '../../gateway/config/schema.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { closeDatabase, migrate, openDatabase } from '../../gateway/store/db.ts';
import { MIGRATIONS } from '../../gateway/store/migrations.ts';
import { tempDir } from '../support/tmp.ts';
import { fixtureFile, releasedVersions } from './make-fixtures.ts';

const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));
const tmp = tempDir('linli-schema-');
afterAll(() => tmp.cleanup());

/** The fixture of a version, unpacked into a data folder of its own. */
function unpack(version: number, name = `v${version}`): { dataDir: string; file: string } {
  const dataDir = join(tmp.dir, name);
  const file = join(dataDir, 'linli.db');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, gunzipSync(readFileSync(fixtureFile(version))), { mode: 0o600 });
  return { dataDir, file };
}

const tablesOf = (db: Database.Database): string[] =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
      name: string;
    }[]
  ).map((r) => r.name);

/** Rows that every later version must keep, by table, as the fixture holds them. */
const KEPT = [
  'devices',
  'staff_tokens',
  'members',
  'credentials',
  'benefit_instances',
  'redemptions',
  'ledger',
  'balances',
  'parcels',
  'access_log',
  'group_buy_orders',
  'visitor_codes',
  'outbox',
  'alerts',
];

describe('schema upgrades from every released version', () => {
  it('every released migration has its fixture database', () => {
    const missing = releasedVersions().filter((v) => !existsSync(fixtureFile(v)));
    expect(missing, 'run: npx tsx test/schema/make-fixtures.ts, and commit the new fixture').toEqual([]);
  });

  for (const version of releasedVersions()) {
    it(`a database of version ${version} upgrades to ${LATEST} with rows, ledger and references intact`, () => {
      const { file } = unpack(version);
      const before = new Database(file, { readonly: true });
      expect(before.pragma('user_version', { simple: true })).toBe(version);
      const present = new Set(tablesOf(before));
      const counts = new Map(
        KEPT.filter((t) => present.has(t)).map((t) => [
          t,
          (before.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n,
        ]),
      );
      before.close();

      const db = openDatabase(file);
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.pragma('foreign_key_check')).toEqual([]);
        for (const [table, n] of counts) {
          expect((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n, table).toBe(n);
        }
        const ledger = verifyLedger(db);
        expect(ledger.problems).toEqual([]);
        expect(ledger.ok).toBe(true);
      } finally {
        closeDatabase(db);
      }
    });
  }

  it('old and new fixtures serve a running gateway: balances and a new ledger entry', async () => {
    for (const version of [1, 4, 13, releasedVersions().at(-1) ?? LATEST]) {
      const { dataDir } = unpack(version, `run-v${version}`);
      const config = ConfigSchema.parse({
        dataDir,
        mqtt: { host: '127.0.0.1', port: 0, plaintext: true, tls: { enabled: false } },
        http: { host: '127.0.0.1', port: 0 },
        log: { level: 'silent' },
      });
      const gw = new Gateway(config, silentLogger());
      const endpoints = await gw.start();
      try {
        const token = (await gw.tokens.create('admin', 'test')).token;
        const api = async (path: string, body?: unknown) => {
          const res = await fetch(`${endpoints.httpUrl}/api/v1${path}`, {
            method: body === undefined ? 'GET' : 'POST',
            headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
            ...(body ? { body: JSON.stringify(body) } : {}),
          });
          return { status: res.status, body: (await res.json()) as Record<string, unknown> };
        };
        if (version >= 4) {
          const m = await api('/members/m-0001');
          expect(m.status).toBe(200);
          expect(m.body).toMatchObject({ walletFen: 14_200, points: 58 });
          // its 2025 redemptions are past privacy.redemptionDetailDays: pseudonymised at start, not in its history
          const award = await api('/members/m-0001/points', { points: 10, txnId: 'upgrade-1', reason: 'activity' });
          expect(award).toMatchObject({ status: 200, body: { awarded: true } });
          expect((await api('/members/m-0001')).body).toMatchObject({ points: 68 });
        } else {
          expect((await api('/devices')).status).toBe(200);
        }
      } finally {
        await gw.stop();
      }
      const db = openDatabase(join(dataDir, 'linli.db'));
      expect(verifyLedger(db).ok).toBe(true);
      closeDatabase(db);
    }
  });
});

describe('refusals that keep the old database', () => {
  it('a database from a newer release is refused with what to do, and left untouched', () => {
    const { file } = unpack(releasedVersions().at(-1) ?? LATEST, 'newer');
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST + 3}`);
    raw.close();
    const bytes = readFileSync(file);
    expect(() => openDatabase(file)).toThrow(
      new RegExp(`schema version ${LATEST + 3}.*newer.*up to ${LATEST}.*nothing was changed`, 's'),
    );
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('a disk filling up mid-migration leaves the old database as it was; a retry with room succeeds', () => {
    const { file } = unpack(13, 'disk-full');
    const reference = new Database(file, { readonly: true });
    const dump = (d: Database.Database) =>
      JSON.stringify(tablesOf(d).map((t) => [t, d.prepare(`SELECT * FROM ${t}`).all()]));
    const original = dump(reference);
    reference.close();

    // The database may not grow past its own size: migration 14 rebuilds tables, so it needs room and fails
    // with SQLITE_FULL as it would on a full SD card
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    expect(() => migrate(db, MIGRATIONS)).toThrow(/disk is full.*version 13.*nothing was changed/s);
    expect(db.pragma('user_version', { simple: true })).toBe(13);
    db.close();

    const after = new Database(file, { readonly: true });
    expect(after.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(after.pragma('user_version', { simple: true })).toBe(13);
    expect(dump(after)).toBe(original);
    after.close();

    const retried = openDatabase(file);
    expect(retried.pragma('user_version', { simple: true })).toBe(LATEST);
    expect(verifyLedger(retried).ok).toBe(true);
    closeDatabase(retried);
  });
});
