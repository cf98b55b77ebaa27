import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventProblem } from '../../gateway/cloud/contract/events.ts';
import type { OutboxPort } from '../../gateway/cloud/outbox-port.ts';
import { ErasureRefusedError, eraseMember } from '../../gateway/privacy/member-erasure.ts';
import { exportMember, MemberExportSchema, UnknownMemberError } from '../../gateway/privacy/member-export.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import type { SqliteLedger } from '../../gateway/redemption/ledger/sqlite-ledger.ts';
import { reportQueries } from '../../gateway/reports/report-queries.ts';
import { Store } from '../../gateway/store/store.ts';
import { linliInProcess } from '../cli/cli-support.ts';
import { tempDir } from '../support/tmp.ts';
import { DAY, NOW, seedCommunity, VISITOR_CODE_HASH } from './community.ts';

describe("a member's data: export and erasure (PIPL art. 45, 47)", () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let ledger: SqliteLedger;
  let sent: { stream: string; kind: string; data: unknown }[];
  const outbox: OutboxPort = { append: (stream, kind, data) => void sent.push({ stream, kind, data }) };
  const erase = (id: string) =>
    eraseMember(
      { db: store.db, run: async (w) => store.db.transaction(w).immediate(), outbox, now: () => NOW },
      id,
      'admin (tok-1)',
    );
  const count = (sql: string, ...args: unknown[]) => (store.db.prepare(sql).get(...args) as { n: number }).n;
  const spendAll = (m: string) => {
    const left = ledger.balance(`wallet:${m}`, 'fen');
    store.db.transaction(() =>
      ledger.append([
        {
          at: NOW,
          txnId: `t-all-${m}`,
          redemptionId: `r-all-${m}`,
          account: `wallet:${m}`,
          asset: 'fen',
          delta: -left,
          reason: 'capture',
        },
        {
          at: NOW,
          txnId: `t-all-${m}`,
          redemptionId: `r-all-${m}`,
          account: 'merchant:cafe-01',
          asset: 'fen',
          delta: left,
          reason: 'capture',
        },
      ]),
    )();
  };

  beforeEach(() => {
    tmp = tempDir('linli-privacy-');
    store = new Store(tmp.dir);
    ledger = seedCommunity(store.db);
    sent = [];
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('exports everything about one member, and no card secret or code hash', () => {
    const doc = exportMember(store.reader, 'm-1', NOW);
    expect(MemberExportSchema.parse(doc)).toEqual(doc);
    expect(doc.member).toMatchObject({ id: 'm-1', tier: 'gold', birthday_month: 3, segments: ['new-resident'] });
    expect(doc.cards).toEqual([{ type: 'uid', status: 'active', createdAt: 0 }]);
    expect(doc.balances).toContainEqual({ account: 'wallet:m-1', asset: 'fen', balance: 12000 });
    expect(doc.redemptions).toHaveLength(18);
    expect(doc.movements).toHaveLength(1 + 18);
    expect(doc.accessLog).toHaveLength(300);
    expect(doc.visitorCodes).toMatchObject([{ zone: 'east', label: '张三 13812341234' }]);
    expect(doc.parcels).toMatchObject([{ id: 'p-1', tracking: 'SF1234567890', status: 'picked_up' }]);
    expect(doc.groupBuyOrders).toMatchObject([{ group_buy_id: 'gb-1', title: '车厘子', qty: 1 }]);
    expect(doc.notices).toHaveLength(1);
    expect(doc.benefits).toMatchObject([{ id: 'b-1' }]);
    const text = JSON.stringify(doc);
    for (const secret of ['lk-secret-1', VISITOR_CODE_HASH, 'code_hash', 'lookup_key'])
      expect(text).not.toContain(secret);
    // nothing of the other member
    expect(text).not.toContain('m-2');
    expect(() => exportMember(store.reader, 'm-9', NOW)).toThrow(UnknownMemberError);
  });

  it('refuses while stored value is the member’s, naming the refund; nothing changes', async () => {
    await expect(erase('m-1')).rejects.toThrow(ErasureRefusedError);
    await expect(erase('m-1')).rejects.toThrow(
      /¥120\.00 of stored value: refund it first .*linli prepaid refund m-1 .*POST \/api\/v1\/members\/m-1\/refund/,
    );
    expect(count("SELECT count(*) AS n FROM members WHERE id = 'm-1'")).toBe(1);
    expect(count('SELECT count(*) AS n FROM member_erasures')).toBe(0);
    expect(sent).toEqual([]);
  });

  it('refuses while a parcel waits in a locker or a group buy is not delivered', async () => {
    spendAll('m-1');
    store.db.exec("UPDATE parcels SET status = 'stored' WHERE id = 'p-1'");
    await expect(erase('m-1')).rejects.toThrow(/parcel p-1 .* still in locker lk-01/);
    store.db.exec("UPDATE parcels SET status = 'picked_up'; UPDATE group_buys SET status = 'formed'");
    await expect(erase('m-1')).rejects.toThrow(/group buy gb-1/);
  });

  it('erases: personal rows gone, money kept under a pseudonym, ledger and reports exact, cloud told', async () => {
    spendAll('m-1');
    const q = () => reportQueries(store.reader);
    const all = { from: NOW - 600 * DAY, to: NOW + DAY };
    const before = { summary: q().summary(all), merchants: q().merchants(all), daily: q().daily(all) };
    const merchant = ledger.balance('merchant:cafe-01', 'fen');

    const r = await erase('m-1');

    expect(r.pseudonym).toMatch(/^pseudo:[0-9a-f]{32}$/);
    expect(r.removed).toMatchObject({
      cards: 1,
      visitorCodes: 1,
      notices: 1,
      parcels: 1,
      groupBuyOrders: 1,
      redemptions: 36, // member_id and payer_id of 18
      accessLog: 300,
      member: 1,
    });
    for (const [table, column] of [
      ['members', 'id'],
      ['credentials', 'member_id'],
      ['benefit_instances', 'member_id'],
      ['redemptions', 'member_id'],
      ['redemptions', 'payer_id'],
      ['parcels', 'member_id'],
      ['visitor_codes', 'host_member_id'],
      ['member_notices', 'member_id'],
      ['group_buy_orders', 'member_id'],
    ])
      expect(count(`SELECT count(*) AS n FROM ${table} WHERE ${column} = 'm-1'`), `${table}.${column}`).toBe(0);
    expect(count("SELECT count(*) AS n FROM access_log WHERE subject IN ('m-1', 'visitor:m-1')")).toBe(0);
    expect(count("SELECT count(*) AS n FROM ledger WHERE account IN ('wallet:m-1', 'points:m-1', 'uses:b-1')")).toBe(0);
    expect(count("SELECT count(*) AS n FROM balances WHERE account IN ('wallet:m-1', 'uses:b-1')")).toBe(0);
    expect(count('SELECT count(*) AS n FROM redemptions WHERE member_id = ?', r.pseudonym)).toBe(18);
    expect(count("SELECT count(*) AS n FROM redemption_counters WHERE key LIKE '%|m-1|%'")).toBe(0);
    // the other member untouched
    expect(count("SELECT count(*) AS n FROM redemptions WHERE member_id = 'm-2'")).toBe(18);

    expect(verifyLedger(store.db)).toMatchObject({ ok: true, problems: [] });
    expect(ledger.balance('merchant:cafe-01', 'fen')).toBe(merchant);
    expect({ summary: q().summary(all), merchants: q().merchants(all), daily: q().daily(all) }).toEqual(before);

    expect(store.db.prepare('SELECT pseudonym, by, at FROM member_erasures').all()).toEqual([
      { pseudonym: r.pseudonym, by: 'admin (tok-1)', at: NOW },
    ]);
    const record = JSON.stringify(store.db.prepare('SELECT * FROM member_erasures').all());
    expect(record).not.toContain('m-1');
    expect(sent).toEqual([{ stream: 'money', kind: 'member.erased', data: { memberId: 'm-1', at: NOW } }]);
    expect(eventProblem('money', 'member.erased', sent[0]?.data)).toBeUndefined();
    await expect(erase('m-1')).rejects.toThrow(UnknownMemberError);
  });

  it('linli member export and erase: a file, a confirmation flag, a clear refusal', async () => {
    store.close();
    const out = `${tmp.dir}/m-1.json`;
    const exported = await linliInProcess(['member', 'export', 'm-1', '--data', tmp.dir, '--out', out]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`exported to ${out}`);
    const { readFileSync, statSync } = await import('node:fs');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ memberId: 'm-1' });
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const unconfirmed = await linliInProcess(['member', 'erase', 'm-2', '--data', tmp.dir]);
    expect(unconfirmed.code).not.toBe(0);
    expect(unconfirmed.stderr).toContain('--yes-erase m-2');
    const refused = await linliInProcess(['member', 'erase', 'm-1', '--data', tmp.dir, '--yes-erase', 'm-1']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/refund it first/);

    const erased = await linliInProcess(['member', 'erase', 'm-2', '--data', tmp.dir, '--yes-erase', 'm-2', '--json']);
    expect(erased.code).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({ pseudonym: expect.stringMatching(/^pseudo:/) });
    store = new Store(tmp.dir);
    expect(count("SELECT count(*) AS n FROM members WHERE id = 'm-2'")).toBe(0);
    expect(store.db.prepare('SELECT by FROM member_erasures').get()).toEqual({ by: expect.stringMatching(/^cli/) });
    expect(verifyLedger(store.db).ok).toBe(true);
  });
});
