import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayConditions } from '../../gateway/alerts/alert-rules.ts';
import { prepareRestoredDatabase } from '../../gateway/backup/restored-database.ts';
import type { CloudEvent } from '../../gateway/cloud/contract/envelopes.ts';
import { OutboxRepo } from '../../gateway/cloud/outbox-repo.ts';
import { RestoreRecovery } from '../../gateway/cloud/restore-recovery.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { SqliteLedger } from '../../gateway/redemption/ledger/sqlite-ledger.ts';
import { LedgerOpeningBalances } from '../../gateway/redemption/opening-balances.ts';
import { CampaignSchema } from '../../gateway/redemption/domain/model.ts';
import { counterKey } from '../../gateway/redemption/service/facts.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { CatalogRepo } from '../../gateway/redemption/store/catalog-repo.ts';
import { RedemptionRepo } from '../../gateway/redemption/store/redemption-repo.ts';
import { UsageRepo } from '../../gateway/redemption/store/usage-repo.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';

const OLD = 'aaaaaaaaaaaa';
const NEW = 'bbbbbbbbbbbb';

/** A database restored into epoch NEW from a backup of epoch OLD holding money seqs 1..3, and its recovery. */
function restored() {
  const tmp = tempDir();
  const first = new Store(tmp.dir);
  first.db.prepare('INSERT OR IGNORE INTO cloud_session (id, session, epoch) VALUES (1, 0, ?)').run(OLD);
  const clock = new ManualClock();
  const a = new OutboxRepo(first.db, 'gw-t', () => clock.now());
  const catalog = new CatalogRepo(first.db);
  first.db.transaction(() => {
    for (const id of ['m-1', 'm-2']) catalog.upsertMember({ id, tier: 'regular', segments: [] }, 0);
    catalog.upsertCampaign(
      CampaignSchema.parse({
        id: 'c-1',
        name: { zh: '次卡', en: 'Punch card' },
        effect: { type: 'amount_off', offFen: 100 },
        usage: { type: 'punch_card', uses: 2 },
        rules: { perMemberLimit: { count: 1, period: 'month' }, budget: { count: 100 } },
        category: 'card',
      }),
      0,
    );
    catalog.upsertInstance({
      id: 'i-1',
      campaignId: 'c-1',
      memberId: 'm-1',
      issuedAt: 0,
      usesLeft: 2,
      status: 'active',
    });
    new LedgerOpeningBalances(new SqliteLedger(first.db)).setUses('i-1', 2, 'open', 0);
    for (let i = 1; i <= 3; i++)
      a.append('money', 'points.awarded', { memberId: 'm-1', points: 1, txnId: `t-${i}`, reason: 'activity', at: 1 });
  })();
  first.close();
  prepareRestoredDatabase(join(tmp.dir, 'linli.db'), { now: 5, newEpoch: NEW });
  const store = new Store(tmp.dir);
  const db = store.db;
  const ledger = new SqliteLedger(db);
  const outbox = new OutboxRepo(db, 'gw-t', () => clock.now());
  const recovery = new RestoreRecovery({
    db,
    outbox,
    ledger,
    usage: new UsageRepo(db),
    catalog: new CatalogRepo(db),
    redemptions: new RedemptionRepo(db),
    clock,
    log: silentLogger(),
    timezone: 'Asia/Shanghai',
  });
  const inTxn = <T>(f: () => T): T => db.transaction(f)();
  const balance = (acct: string, asset: 'fen' | 'points' | 'uses' = 'fen') => ledger.balance(acct, asset);
  const done = () => (store.close(), tmp.cleanup());
  const usage = new UsageRepo(db);
  return { db, outbox, recovery, inTxn, balance, done, catalog: new CatalogRepo(db), usage };
}

let seq = 3;
const ev = (kind: string, data: Record<string, unknown>): CloudEvent => {
  seq += 1;
  return { id: `gw-t:${OLD}:money:${seq}`, seq, kind, at: 10, historical: false, data };
};
const redemption = (state: string, over: Record<string, unknown> = {}) => ({
  redemptionId: 'r-1',
  txnId: 'vm-1',
  memberId: 'm-1',
  merchantId: 'shop-1',
  deviceId: 'vm-01',
  state,
  subtotalFen: 600,
  savingFen: 100,
  payableFen: 500,
  paidBy: 'own',
  pointsCost: 0,
  pointsEarned: 5,
  applied: [{ campaignId: 'c-1', instanceId: 'i-1', savingFen: 100 }],
  at: 10,
  ...over,
});

describe('a restored box recovers what the lost box approved after the backup [CLP-5.12]', () => {
  it('announces itself once in the new epoch, numbering on from the restore point', () => {
    const t = restored();
    try {
      expect(t.recovery.pending()).toBe(true);
      t.inTxn(() => t.recovery.announce());
      t.inTxn(() => t.recovery.announce());
      const events = t.outbox.after('money', 3, 10);
      expect(events.map((e) => [e.id, e.kind])).toEqual([[`gw-t:${NEW}:money:4`, 'gateway.restored']]);
      expect(events[0]?.data).toEqual({
        fromEpoch: OLD,
        restorePoints: { money: 3, access: 0, parcels: 0, health: 0, telemetry: 0 },
        at: expect.any(Number),
      });
    } finally {
      t.done();
    }
  });

  it('applies a grant, an award, a hold and its capture once each, in pages; then says it is done', () => {
    const t = restored();
    seq = 3;
    try {
      const page1 = [
        ev('allowance.credited', { grantId: 'g-1', memberId: 'm-1', amountFen: 1000, at: 10 }),
        ev('points.awarded', { memberId: 'm-2', points: 7, txnId: 'aw-1', reason: 'activity', at: 10 }),
        ev('redemption.held', redemption('held')),
      ];
      const page2 = [
        ev('redemption.captured', redemption('captured')),
        ev('redemption.declined', redemption('declined', { redemptionId: 'r-2', payableFen: 0 })),
      ];
      const upTo = seq;
      t.inTxn(() => t.recovery.apply({ epoch: NEW, fromEpoch: OLD, after: 3, upTo, events: page1 }));
      expect(t.recovery.pending()).toBe(true);
      expect(t.balance(account.wallet('m-1'))).toBe(500);
      expect(t.balance(account.held('r-1'))).toBe(500);
      expect(t.catalog.instance('i-1')?.usesLeft).toBe(1);
      // the first page again (a resend) changes nothing
      t.inTxn(() => t.recovery.apply({ epoch: NEW, fromEpoch: OLD, after: 3, upTo, events: page1 }));
      expect(t.balance(account.wallet('m-1'))).toBe(500);
      t.inTxn(() => t.recovery.apply({ epoch: NEW, fromEpoch: OLD, after: 6, upTo, events: page2 }));
      expect(t.recovery.pending()).toBe(false);
      expect(t.balance(account.wallet('m-1'))).toBe(500);
      expect(t.balance(account.held('r-1'))).toBe(0);
      expect(t.balance(account.merchant('shop-1'))).toBe(500);
      expect(t.balance(account.points('m-1'), 'points')).toBe(5);
      expect(t.balance(account.points('m-2'), 'points')).toBe(7);
      expect(t.balance(account.uses('i-1'), 'uses')).toBe(1);
      // the once-a-month limit and the budget counted the purchase once (the hold), not again at capture
      expect(t.usage.get(counterKey.member('m-1', 'c-1', '1970-01')).count).toBe(1);
      expect(t.usage.get(counterKey.budget('c-1'))).toEqual({ count: 1, amountFen: 100 });
      const last = t.outbox.after('money', 3, 10).at(-1);
      expect(last?.kind).toBe('gateway.recovered');
      expect(last?.data).toEqual({ fromEpoch: OLD, upTo, applied: 4, refused: 0, at: expect.any(Number) });
      // nothing else was written for the cloud: it has the originals
      expect(t.outbox.after('money', 3, 10).map((e) => e.kind)).toEqual(['gateway.recovered']);
      expect(verifyLedger(t.db).ok).toBe(true);
    } finally {
      t.done();
    }
  });

  it('a purchase the lost box captured and then reversed leaves money, points, uses and limits as they were', () => {
    const t = restored();
    seq = 3;
    try {
      const events = [
        ev('allowance.credited', { grantId: 'g-2', memberId: 'm-1', amountFen: 1000, at: 10 }),
        ev('redemption.captured', redemption('captured')),
      ];
      t.inTxn(() => t.recovery.apply({ epoch: NEW, fromEpoch: OLD, after: 3, upTo: seq + 1, events }));
      expect(t.balance(account.wallet('m-1'))).toBe(500);
      expect(t.balance(account.points('m-1'), 'points')).toBe(5);
      expect(t.catalog.instance('i-1')?.usesLeft).toBe(1);
      expect(t.usage.get(counterKey.member('m-1', 'c-1', '1970-01')).count).toBe(1);
      const reversal = [ev('redemption.reversed', redemption('reversed'))];
      t.inTxn(() => t.recovery.apply({ epoch: NEW, fromEpoch: OLD, after: 5, upTo: seq, events: reversal }));
      expect(t.balance(account.wallet('m-1'))).toBe(1000);
      expect(t.balance(account.merchant('shop-1'))).toBe(0);
      expect(t.balance(account.points('m-1'), 'points')).toBe(0);
      expect(t.balance(account.uses('i-1'), 'uses')).toBe(2);
      expect(t.catalog.instance('i-1')?.usesLeft).toBe(2);
      expect(t.usage.get(counterKey.member('m-1', 'c-1', '1970-01')).count).toBe(0);
      expect(t.usage.get(counterKey.budget('c-1')).count).toBe(0);
      // the purchase the backup never saw has its record now: a resend of its txn is answered from it
      expect(new RedemptionRepo(t.db).byTxn('vm-01', 'vm-1')?.state).toBe('reversed');
      expect(t.recovery.pending()).toBe(false);
      expect(verifyLedger(t.db).ok).toBe(true);
    } finally {
      t.done();
    }
  });

  it('a payment whose money was spent again before it arrived is refused alone, and counted', () => {
    const t = restored();
    seq = 3;
    try {
      const events = [
        ev('redemption.captured', redemption('captured', { payableFen: 800 })),
        ev('points.awarded', { memberId: 'm-1', points: 3, txnId: 'aw-2', reason: 'activity', at: 10 }),
        ev('redemption.reversed', redemption('reversed', { redemptionId: 'r-9', payableFen: 0, pointsEarned: 0 })),
      ];
      t.inTxn(() => t.recovery.apply({ epoch: NEW, fromEpoch: OLD, after: 3, upTo: seq, events }));
      expect(t.balance(account.wallet('m-1'))).toBe(0);
      expect(t.balance(account.points('m-1'), 'points')).toBe(3);
      expect(t.outbox.after('money', 3, 10).at(-1)?.data).toMatchObject({ applied: 2, refused: 1 });
      expect(verifyLedger(t.db).ok).toBe(true);
    } finally {
      t.done();
    }
  });

  it('refuses a page out of order, and ignores a document for a restore this box never had', () => {
    const t = restored();
    seq = 3;
    try {
      const e = ev('points.awarded', { memberId: 'm-1', points: 3, txnId: 'aw-3', reason: 'activity', at: 10 });
      expect(() =>
        t.inTxn(() => t.recovery.apply({ epoch: NEW, fromEpoch: OLD, after: 1, upTo: 4, events: [e] })),
      ).toThrow(/not in order/);
      t.inTxn(() => t.recovery.apply({ epoch: 'cccccccccccc', fromEpoch: OLD, after: 3, upTo: 4, events: [e] }));
      expect(t.balance(account.points('m-1'), 'points')).toBe(0);
      expect(t.recovery.pending()).toBe(true);
    } finally {
      t.done();
    }
  });

  it('while it is pending the gateway raises RESTORE_RECOVERY_PENDING, and not after', () => {
    const base = {
      cloud: { connected: true, downForMs: 0, overBudget: false, backlogEvents: 0 },
      cloudDownAlertMs: 60_000,
      clock: { state: 'ok' as const, offsetMs: 0 },
      hotlistStale: false,
    };
    expect(gatewayConditions({ ...base, restorePending: true }).map((c) => [c.code, c.severity])).toEqual([
      ['RESTORE_RECOVERY_PENDING', 'critical'],
    ]);
    expect(gatewayConditions({ ...base, restorePending: false })).toEqual([]);
  });
});
