import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewaySecrets } from '../../gateway/security/gateway-secrets.ts';
import { Store } from '../../gateway/store/store.ts';
import { demoFixture } from '../../gateway/redemption/demo-fixture.ts';
import { cardIdentifier, FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { loadFixture, type OpeningBalances } from '../../gateway/redemption/load-fixture.ts';
import { CatalogRepo } from '../../gateway/redemption/store/catalog-repo.ts';
import { formatConfigIssues } from '../../gateway/config/load.ts';
import { tempDir } from '../support/tmp.ts';

class RecordingBalances implements OpeningBalances {
  readonly calls: [string, number, number][] = [];
  setOpening(memberId: string, walletFen: number, points: number): void {
    this.calls.push([memberId, walletFen, points]);
  }
  setUses(): void {}
  batch<T>(fn: () => T): T {
    return fn();
  }
}

describe('fixtures (linli load)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => {
    tmp = tempDir();
    store = new Store(tmp.dir);
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('the demo fixture is valid and covers every benefit type and usage', () => {
    const f = FixtureSchema.parse(demoFixture());
    expect(f.members).toHaveLength(300);
    expect(new Set(f.campaigns.map((c) => c.effect.type))).toEqual(
      new Set(['amount_off', 'percent_off', 'nth_item', 'fixed_price', 'free_item']),
    );
    expect(new Set(f.campaigns.map((c) => c.usage.type))).toEqual(
      new Set([
        'always_on',
        'single_use',
        'period_card',
        'punch_card',
        'birthday_gift',
        'welcome_back',
        'points_exchange',
      ]),
    );
    expect(f.campaigns.some((c) => c.grants.length > 0)).toBe(true);
    expect(f.family.length).toBeGreaterThan(100);
    // PIPL minimisation: members carry a pseudonymous id and benefit-relevant facts only
    const allowed = new Set([
      'id',
      'tier',
      'birthdayMonth',
      'lastActiveDate',
      'familyGroupId',
      'segments',
      'walletFen',
      'points',
      'cards',
      'benefits',
    ]);
    for (const m of f.members) for (const k of Object.keys(m)) expect(allowed.has(k), k).toBe(true);
    expect(demoFixture()).toEqual(demoFixture());
  });

  it('loads in one transaction, hashing card identifiers, and blocks hotlisted cards', () => {
    const f = FixtureSchema.parse(demoFixture({ members: 30 }));
    const catalog = new CatalogRepo(store.db);
    const secrets = GatewaySecrets.forTests();
    const balances = new RecordingBalances();
    const summary = loadFixture(store.db, catalog, secrets, balances, f, 1);
    expect(summary).toMatchObject({ merchants: 4, campaigns: f.campaigns.length, members: 30, cards: 30, blocked: 1 });
    expect(balances.calls).toHaveLength(30);
    const m = f.members[1];
    const card = m?.cards[0];
    if (!m || !card) throw new Error('fixture');
    const id = card.type === 'qr' ? card.credentialId : card.uid;
    const dump = JSON.stringify(store.db.prepare('SELECT * FROM credentials').all());
    expect(dump).not.toContain(id);
    const rec = catalog.credential(secrets.lookupKey(card.type, id));
    expect(rec).toMatchObject({ memberId: m.id, status: 'active' });
    expect(catalog.member(m.id)).toMatchObject({ id: m.id, tier: m.tier });
    expect(catalog.campaigns().size).toBe(f.campaigns.length);
    expect(catalog.instancesOf(m.id)).toHaveLength(m.benefits.length);
    // loading again gives the same state
    const again = loadFixture(store.db, catalog, secrets, balances, f, 2);
    expect(again.members).toBe(30);
    expect(catalog.memberCount()).toBe(30);
  });

  it('refuses broken references with exact paths', () => {
    const f = demoFixture({ members: 3 });
    f.members?.[0]?.benefits?.push({ id: 'b-x', campaignId: 'nope' });
    f.family?.push({ memberId: 'm-0001', payerId: 'ghost', perTxnFen: 1, perDayFen: 1, perMonthFen: 1 });
    f.campaigns?.push({ ...(f.campaigns[0] as object), id: 'cafe-mj-50-10' } as never);
    const r = FixtureSchema.safeParse(f);
    expect(r.success).toBe(false);
    if (!r.success) {
      const problems = formatConfigIssues(r.error);
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^members\[0\]\.benefits\[\d+\]\.campaignId: unknown campaign "nope"/),
          expect.stringMatching(/^family\[\d+\]\.payerId: unknown member "ghost"/),
          expect.stringMatching(/^campaigns\[\d+\]\.id: duplicate id "cafe-mj-50-10"/),
        ]),
      );
    }
  });

  it('a blocked card stays blocked; an unknown card is unknown', () => {
    const catalog = new CatalogRepo(store.db);
    const secrets = GatewaySecrets.forTests();
    loadFixture(
      store.db,
      catalog,
      secrets,
      new RecordingBalances(),
      FixtureSchema.parse(demoFixture({ members: 10 })),
      1,
    );
    const lost = FixtureSchema.parse(demoFixture({ members: 10 })).hotlist[0];
    if (!lost) throw new Error('fixture has no hotlist');
    const { type, id } = cardIdentifier(lost);
    expect(catalog.credential(secrets.lookupKey(type, id))?.status).toBe('blocked');
    expect(catalog.credential(secrets.lookupKey('uid', '00000000'))).toBeUndefined();
  });

  it('SUN tap counters only move forward', () => {
    const catalog = new CatalogRepo(store.db);
    catalog.upsertMember({ id: 'm-1', tier: 'regular', segments: [] }, 1);
    catalog.addCredential('k1', 'm-1', 'sun', 1);
    expect(catalog.advanceCounter('k1', 5)).toBe(true);
    expect(catalog.advanceCounter('k1', 5)).toBe(false);
    expect(catalog.advanceCounter('k1', 4)).toBe(false);
    expect(catalog.advanceCounter('k1', 6)).toBe(true);
  });
});

describe('gateway secrets', () => {
  it('creates the pepper once, private to the gateway user, and keeps it', async () => {
    const tmp = tempDir();
    const { statSync } = await import('node:fs');
    const a = GatewaySecrets.loadOrCreate(tmp.dir);
    const b = GatewaySecrets.loadOrCreate(tmp.dir);
    expect(a.lookupKey('uid', '04aabb')).toBe(b.lookupKey('uid', '04AABB'));
    expect(statSync(`${tmp.dir}/secrets.json`).mode & 0o777).toBe(0o600);
    expect(GatewaySecrets.forTests(Buffer.alloc(32, 1)).lookupKey('uid', 'X')).not.toBe(
      GatewaySecrets.forTests(Buffer.alloc(32, 2)).lookupKey('uid', 'X'),
    );
    tmp.cleanup();
  });
});

describe('cards bound before card fingerprints (upgrade)', () => {
  it('are found by their old key, moved to the new one once, and keep their block', async () => {
    const { Store } = await import('../../gateway/store/store.ts');
    const { CredentialResolver } = await import('../../gateway/redemption/device/credential-resolver.ts');
    const { tempDir } = await import('../support/tmp.ts');
    const tmp = tempDir();
    const store = new Store(tmp.dir);
    try {
      const secrets = GatewaySecrets.forTests();
      const catalog = new CatalogRepo(store.db);
      catalog.upsertMember({ id: 'm-1', tier: 'regular', segments: [] } as never, 1);
      catalog.upsertMember({ id: 'm-2', tier: 'regular', segments: [] } as never, 1);
      catalog.addCredential(secrets.legacyLookupKey('uid', '04A2B3C4'), 'm-1', 'uid', 1);
      catalog.addCredential(secrets.legacyLookupKey('uid', '04B0B0B0'), 'm-2', 'uid', 1);
      catalog.block(secrets.legacyLookupKey('uid', '04B0B0B0'));
      const resolver = new CredentialResolver(catalog, secrets, undefined, () => 1, {
        submit: async (work) => store.db.transaction(work)(),
      });
      expect((await resolver.identify({ type: 'uid', uid: '04a2b3c4' })).memberId).toBe('m-1');
      expect(catalog.credential(secrets.lookupKey('uid', '04A2B3C4'))?.memberId).toBe('m-1');
      expect(catalog.credential(secrets.legacyLookupKey('uid', '04A2B3C4'))).toBeUndefined();
      await expect(resolver.identify({ type: 'uid', uid: '04B0B0B0' })).rejects.toThrow(/blocked/i);
    } finally {
      store.close();
      tmp.cleanup();
    }
  });
});

describe('the platform card-fingerprint key', () => {
  it(
    'keys fingerprints so short UIDs cannot be tried out; ' + 'cards keyed before it are moved on first sight',
    async () => {
      const { Store } = await import('../../gateway/store/store.ts');
      const { CredentialResolver } = await import('../../gateway/redemption/device/credential-resolver.ts');
      const { cardFingerprint } = await import('../../gateway/security/gateway-secrets.ts');
      const { tempDir } = await import('../support/tmp.ts');
      const tmp = tempDir();
      const store = new Store(tmp.dir);
      try {
        const key = Buffer.alloc(32, 9);
        const before = GatewaySecrets.forTests();
        const secrets = GatewaySecrets.forTests().useFingerprintKey(key);
        expect(cardFingerprint('uid', '04A2B3C4', key)).not.toBe(cardFingerprint('uid', '04A2B3C4'));
        expect(secrets.lookupKeyOf(cardFingerprint('uid', '04a2b3c4', key))).toBe(secrets.lookupKey('uid', '04A2B3C4'));
        const catalog = new CatalogRepo(store.db);
        catalog.upsertMember({ id: 'm-1', tier: 'regular', segments: [] } as never, 1);
        // keyed before the platform key was set
        catalog.addCredential(before.lookupKey('uid', '04A2B3C4'), 'm-1', 'uid', 1);
        const resolver = new CredentialResolver(catalog, secrets, undefined, () => 1, {
          submit: async (work) => store.db.transaction(work)(),
        });
        expect((await resolver.identify({ type: 'uid', uid: '04A2B3C4' })).memberId).toBe('m-1');
        expect(catalog.credential(secrets.lookupKey('uid', '04A2B3C4'))?.memberId).toBe('m-1');
        expect(() => GatewaySecrets.forTests().useFingerprintKey(Buffer.alloc(8))).toThrow(/16 bytes/);
      } finally {
        store.close();
        tmp.cleanup();
      }
    },
  );
});

describe('campaigns loaded beside a running engine', () => {
  it(
    'are seen at once by the engine: ' + 'through another CatalogRepo on the same connection, or by another process',
    async () => {
      const { Store } = await import('../../gateway/store/store.ts');
      const { tempDir } = await import('../support/tmp.ts');
      const tmp = tempDir();
      const store = new Store(tmp.dir);
      const other = new Store(tmp.dir); // another process's connection, as `linli load` beside a gateway
      try {
        const engine = new CatalogRepo(store.db);
        expect(engine.campaigns().size).toBe(0); // cached empty, as after an empty catalog from the cloud
        const c = {
          id: 'c-1',
          name: { zh: '满50减10', en: '10 off 50' },
          effect: { type: 'amount_off', thresholdFen: 5000, offFen: 1000 },
          usage: { type: 'always_on' },
          rules: {},
          category: 'coupon',
          priority: 0,
          exclusive: false,
          grants: [],
        };
        new CatalogRepo(store.db).upsertCampaign(c as never, 1);
        expect([...engine.campaigns().keys()]).toEqual(['c-1']);
        new CatalogRepo(other.db).upsertCampaign({ ...c, id: 'c-2' } as never, 2);
        expect([...engine.campaigns().keys()].sort()).toEqual(['c-1', 'c-2']);
      } finally {
        other.close();
        store.close();
        tmp.cleanup();
      }
    },
  );
});
