import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoFixture } from '../../gateway/redemption/demo-fixture.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { SqliteLedger } from '../../gateway/redemption/ledger/sqlite-ledger.ts';
import { cardLookupKey, loadFixture } from '../../gateway/redemption/load-fixture.ts';
import { FixtureFileError, loadFixtureFile, type LoadProgress } from '../../gateway/redemption/load-fixture-file.ts';
import { LedgerOpeningBalances } from '../../gateway/redemption/opening-balances.ts';
import { CatalogRepo } from '../../gateway/redemption/store/catalog-repo.ts';
import { GatewaySecrets } from '../../gateway/security/gateway-secrets.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';

const MOVEMENTS = 'SELECT seq, txn_id, redemption_id, account, asset, delta, reason FROM ledger ORDER BY seq';

const NOW = Date.UTC(2026, 11, 1);
const TABLES = ['members', 'credentials', 'campaigns', 'benefit_instances', 'coupon_codes', 'family_proxies'];

describe('linli load of a JSON file, streamed in two passes', () => {
  let tmp: ReturnType<typeof tempDir>;
  const stores: Store[] = [];
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
    tmp.cleanup();
  });

  const open = (name: string) => {
    const store = new Store(join(tmp.dir, name));
    stores.push(store);
    const ledger = new SqliteLedger(store.db);
    return { store, catalog: new CatalogRepo(store.db), balances: new LedgerOpeningBalances(ledger), ledger };
  };
  const dump = (store: Store) =>
    Object.fromEntries(
      [...TABLES, 'balances'].map((t) => [t, store.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]),
    );
  const streamed = (name: string, file: string, progress?: (p: LoadProgress) => void) => {
    const s = open(name);
    return loadFixtureFile(s.store.db, s.catalog, GatewaySecrets.forTests(), s.balances, file, NOW, progress).then(
      (summary) => ({ ...s, summary }),
    );
  };

  it('gives the state the in-memory load gives, even with the members listed before the campaigns', async () => {
    const raw = demoFixture({ members: 60, now: NOW });
    const file = join(tmp.dir, 'community.json');
    // members first, family and hotlist between: a file's key order is its writer's choice
    const { members, ...rest } = raw;
    writeFileSync(file, JSON.stringify({ members, family: rest.family, ...rest }, null, 2));
    const seen: LoadProgress[] = [];
    const a = await streamed('streamed', file, (p) => seen.push(p));
    const b = open('in-memory');
    const summary = loadFixture(
      b.store.db,
      b.catalog,
      GatewaySecrets.forTests(),
      b.balances,
      FixtureSchema.parse(raw),
      NOW,
    );
    expect(a.summary).toEqual(summary);
    expect(a.summary).toMatchObject({ members: 60, blocked: 1 });
    expect(dump(a.store)).toEqual(dump(b.store));
    expect(verifyLedger(a.store.db)).toMatchObject({ ok: true });
    // the ledger holds the same movements in the same order (the hashes differ: each database keys its
    // accounts' digests with its own key)
    expect(a.store.db.prepare(MOVEMENTS).all()).toEqual(b.store.db.prepare(MOVEMENTS).all());
    for (const phase of ['checking', 'loading'] as const) {
      const ps = seen.filter((p) => p.phase === phase);
      expect(ps.length, phase).toBeGreaterThan(0);
      expect(ps.at(-1)).toMatchObject({ bytes: ps.at(-1)?.totalBytes, members: 60 });
      for (let i = 1; i < ps.length; i++) expect(ps[i]?.bytes).toBeGreaterThanOrEqual(ps[i - 1]?.bytes ?? 0);
    }
    expect(seen.findIndex((p) => p.phase === 'loading')).toBeGreaterThan(
      seen.findLastIndex((p) => p.phase === 'checking'),
    );
  });

  it('beside a running gateway: committed in parts of whole members, no hotlisted card ever active', async () => {
    const raw = demoFixture({ members: 60, now: NOW });
    const file = join(tmp.dir, 'community.json');
    writeFileSync(file, JSON.stringify(raw));
    const lost = FixtureSchema.parse(raw).hotlist[0];
    if (!lost) throw new Error('the demo community has a lost card');
    const hotlisted = cardLookupKey(GatewaySecrets.forTests(), lost);
    const s = open('in-parts');
    // what another process (the gateway) sees after each commit
    const other = new Database(s.store.file, { readonly: true });
    const benefitsOf = new Map((raw.members ?? []).map((m) => [m.id, m.benefits?.length ?? 0]));
    const seenAfterCommits: number[] = [];
    let t = 0;
    const summary = await loadFixtureFile(
      s.store.db,
      s.catalog,
      GatewaySecrets.forTests(),
      s.balances,
      file,
      NOW,
      undefined,
      {
        partsMs: 3,
        now: () => (t += 1),
        onCommit: () => {
          const members = other
            .prepare<[], { id: string; n: number }>(
              'SELECT m.id, (SELECT COUNT(*) FROM benefit_instances b WHERE b.member_id = m.id) AS n FROM members m',
            )
            .all();
          seenAfterCommits.push(members.length);
          // every member committed is whole: all its benefits, balances that are the ledger's sums
          for (const m of members) expect(m.n, m.id).toBe(benefitsOf.get(m.id));
          expect(verifyLedger(other).problems).toEqual([]);
          const card = other.prepare<[string], { status: string }>(
            'SELECT status FROM credentials WHERE lookup_key = ?',
          );
          expect(card.get(hotlisted)?.status ?? 'not yet loaded').not.toBe('active');
        },
      },
    );
    other.close();
    expect(seenAfterCommits.length).toBeGreaterThan(5);
    expect(seenAfterCommits.at(-1)).toBe(60);
    // the end state is the one-transaction load's, every ledger movement in its place
    const whole = await streamed('whole', file);
    expect(summary).toEqual(whole.summary);
    expect(dump(s.store)).toEqual(dump(whole.store));
    expect(s.store.db.prepare(MOVEMENTS).all()).toEqual(whole.store.db.prepare(MOVEMENTS).all());
  });

  it('names every problem by its path and loads nothing, also when the last member is the broken one', async () => {
    const raw = demoFixture({ members: 20, now: NOW });
    const members = raw.members ?? [];
    const last = members.at(-1);
    if (!last) throw new Error('fixture');
    last.benefits = [{ id: 'b-x', campaignId: 'nope' }];
    members.push({ ...last, id: last.id });
    (members[3] as { tier: unknown }).tier = 42;
    const file = join(tmp.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...raw, extra: [1], members }));
    const err = await streamed('bad', file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FixtureFileError);
    expect((err as FixtureFileError).issues).toEqual(
      expect.arrayContaining([
        '(root): unknown key "extra"',
        expect.stringMatching(/^members\[3\]\.tier: /),
        'members[20].id: duplicate id "m-0020"',
        expect.stringMatching(/^members\[19\]\.benefits\[0\]\.campaignId: unknown campaign "nope"/),
      ]),
    );
    const s = stores.at(-1);
    expect(s?.db.prepare('SELECT COUNT(*) AS n FROM members').get()).toEqual({ n: 0 });
    expect(s?.db.prepare('SELECT COUNT(*) AS n FROM ledger').get()).toEqual({ n: 0 });
  });

  it('a broken document (not only a broken member) is refused with the place, and lists are bounded', async () => {
    const file = join(tmp.dir, 'cut.json');
    writeFileSync(file, '{"members": [{"id": "m-1"}, {"id": "m-2"');
    await expect(streamed('cut', file)).rejects.toThrow(/ends early/);
    const many = join(tmp.dir, 'many.json');
    writeFileSync(many, JSON.stringify({ members: Array.from({ length: 80 }, (_, i) => ({ id: `m-${i}`, tier: 1 })) }));
    const err = (await streamed('many', many).catch((e: unknown) => e)) as FixtureFileError;
    expect(err.issues).toHaveLength(51);
    expect(err.issues.at(-1)).toBe('… and 30 more');
  });
});
