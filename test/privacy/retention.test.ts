import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/core/log.ts';
import { PrivacyConfigSchema } from '../../gateway/privacy/privacy-config.ts';
import { Retention } from '../../gateway/privacy/retention.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import type { SqliteLedger } from '../../gateway/redemption/ledger/sqlite-ledger.ts';
import { reportQueries } from '../../gateway/reports/report-queries.ts';
import { Store } from '../../gateway/store/store.ts';
import { linliInProcess } from '../cli/cli-support.ts';
import { tempDir } from '../support/tmp.ts';
import { DAY, NOW, seedCommunity } from './community.ts';

describe('retention on a moved clock (PIPL art. 19)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let ledger: SqliteLedger;
  let now = NOW;
  let units = 0;
  const retention = (batchRows = 10) =>
    new Retention({
      db: store.db,
      // each batch its own transaction, as the gateway's writer runs it
      run: async (work) => {
        units += 1;
        return store.db.transaction(work).immediate();
      },
      now: () => now,
      log: silentLogger(),
      config: PrivacyConfigSchema.parse({ batchRows }),
    });
  const q = () => reportQueries(store.reader);
  const year = { from: NOW - 540 * DAY, to: NOW - 366 * DAY };
  const reports = () => ({
    summary: q().summary(year),
    daily: q().daily(year),
    heat: q().heatmap(year),
    merchants: q().merchants({ from: NOW - 600 * DAY, to: NOW }),
  });
  const count = (sql: string) => (store.db.prepare(sql).get() as { n: number }).n;

  beforeEach(() => {
    tmp = tempDir('linli-privacy-');
    store = new Store(tmp.dir);
    ledger = seedCommunity(store.db);
    now = NOW;
    units = 0;
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('nothing is due inside the periods: no row changes', async () => {
    now = NOW - 600 * DAY;
    expect(await retention().sweep()).toEqual({ accessRows: 0, redemptions: 0, ledgerEntries: 0 });
  });

  it('old access rows become counts per door and day; old redemptions and ledger entries get pseudonyms', async () => {
    const before = reports();
    const balances = { m1: ledger.balance('wallet:m-1', 'fen'), m2: ledger.balance('wallet:m-2', 'fen') };
    const old = count('SELECT count(*) AS n FROM access_log WHERE at < ' + (NOW - 180 * DAY));
    expect(old).toBeGreaterThan(100);

    const hashes = () => store.db.prepare('SELECT group_concat(hash) AS h FROM ledger ORDER BY seq').get();
    const chain = hashes();

    const r = await retention().sweep();

    // every entry's hash as it was: the chain, and the anchors the cloud holds of it [CLP-4.12], still agree
    expect(hashes()).toEqual(chain);
    expect(r.accessRows).toBe(old);
    expect(count('SELECT count(*) AS n FROM access_log')).toBe(300 - old);
    expect(count('SELECT min(at) AS n FROM access_log')).toBeGreaterThanOrEqual(NOW - 180 * DAY);
    expect(count('SELECT sum(count) AS n FROM access_log_daily')).toBe(old);
    expect(count("SELECT sum(count) AS n FROM access_log_daily WHERE decision = 'denied'")).toBeGreaterThan(0);
    expect(count('SELECT count(DISTINCT door) AS n FROM access_log_daily')).toBe(2);

    // 6 of each member's 18 redemptions are older than 365 days (every 30 days from day 540)
    expect(r.redemptions).toBe(2 * 6);
    expect(count("SELECT count(*) AS n FROM redemptions WHERE member_id LIKE 'pseudo:%'")).toBe(12);
    expect(count("SELECT count(*) AS n FROM redemptions WHERE payer_id LIKE 'pseudo:%'")).toBe(12);
    expect(
      count(
        `SELECT count(*) AS n FROM redemptions WHERE member_id LIKE 'pseudo:%' AND created_at >= ${NOW - 365 * DAY}`,
      ),
    ).toBe(0);
    expect(count("SELECT count(*) AS n FROM redemption_counters WHERE key LIKE 'm|pseudo:%'")).toBe(12);
    // one member, one pseudonym: a report grouping by member counts as before
    expect(count("SELECT count(DISTINCT member_id) AS n FROM redemptions WHERE member_id LIKE 'pseudo:%'")).toBe(2);

    // ledger: old entries of residents' accounts renamed, merchants' and issuers' kept, new ones untouched
    expect(r.ledgerEntries).toBe(2 + 12);
    expect(count("SELECT count(*) AS n FROM ledger WHERE account LIKE 'pseudo:%'")).toBe(14);
    expect(count(`SELECT count(*) AS n FROM ledger WHERE account LIKE 'wallet:%' AND at < ${NOW - 365 * DAY}`)).toBe(0);
    expect(count("SELECT count(*) AS n FROM ledger WHERE account = 'merchant:cafe-01'")).toBe(37);
    expect(verifyLedger(store.db)).toMatchObject({ ok: true, problems: [] });
    const cli = await linliInProcess(['ledger', 'verify', '--data', tmp.dir]);
    expect(cli.stdout).toMatch(/^ledger OK: \d+ entries/);
    expect(cli.code).toBe(0);
    expect(ledger.balance('wallet:m-1', 'fen')).toBe(balances.m1);
    expect(ledger.balance('wallet:m-2', 'fen')).toBe(balances.m2);
    expect(reports()).toEqual(before);
    // small units, never one long write: 10 rows a unit here
    expect(units).toBeGreaterThanOrEqual(15);

    // idempotent: a second sweep finds nothing new
    expect(await retention().sweep()).toEqual({ accessRows: 0, redemptions: 0, ledgerEntries: 0 });
  });

  it('the clock moving on a month pseudonymises the next month, no more', async () => {
    await retention().sweep();
    now = NOW + 30 * DAY;
    const r = await retention(500).sweep();
    expect(r.redemptions).toBe(2);
    expect(r.ledgerEntries).toBe(2);
    expect(r.accessRows).toBe(30);
    expect(verifyLedger(store.db).ok).toBe(true);
  });

  it('a pseudonymised account moves no more value, and a tampered pseudonym is caught by verify', async () => {
    await retention().sweep();
    const pseudo = (
      store.db.prepare("SELECT account FROM ledger WHERE account LIKE 'pseudo:%' LIMIT 1").get() as {
        account: string;
      }
    ).account;
    expect(() =>
      store.db.transaction(() =>
        ledger.append([
          { at: NOW, txnId: 'x', redemptionId: 'x', account: pseudo, asset: 'fen', delta: 1, reason: 'reversal' },
          {
            at: NOW,
            txnId: 'x',
            redemptionId: 'x',
            account: 'merchant:cafe-01',
            asset: 'fen',
            delta: -1,
            reason: 'reversal',
          },
        ]),
      )(),
    ).toThrow(/pseudonymised/);
    // the trigger lets only a clear account become a pseudonym, nothing else
    expect(() => store.db.prepare('UPDATE ledger SET delta = 7 WHERE seq = 1').run()).toThrow(/append-only/);
    expect(() => store.db.prepare("UPDATE ledger SET account = 'wallet:m-9' WHERE seq = 2").run()).toThrow(
      /append-only/,
    );
    expect(() => store.db.prepare('DELETE FROM ledger WHERE seq = 1').run()).toThrow(/append-only/);
    // a pseudonym that is not the account's digest: the hash no longer matches
    const other = `pseudo:${'a'.repeat(64)}`;
    const seq = (
      store.db.prepare("SELECT seq FROM ledger WHERE account = 'wallet:m-1' LIMIT 1").get() as { seq: number }
    ).seq;
    store.db.prepare('UPDATE ledger SET account = ? WHERE seq = ?').run(other, seq);
    expect(verifyLedger(store.db).problems.map((p) => p.kind)).toContain('hash_mismatch');
  });
});
