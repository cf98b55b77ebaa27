import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/core/log.ts';
import { verifyCloses } from '../../gateway/prepaid/close-chain.ts';
import { dayStart } from '../../gateway/prepaid/local-day.ts';
import { PrepaidConfigSchema } from '../../gateway/prepaid/prepaid-config.ts';
import { createPrepaid } from '../../gateway/prepaid/prepaid-module.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { GENESIS_HASH } from '../../gateway/redemption/ledger/entry-hash.ts';
import { forgeChain } from '../ledger/forge-chain.ts';
import { type PrepaidHarness, prepaidHarness } from './prepaid-harness.ts';

const TZ = 'Asia/Shanghai';
const HOUR = 3600_000;
/** Noon of 2026-11-18 in Shanghai. */
const NOON = dayStart('2026-11-18', TZ) + 12 * HOUR;

interface Close {
  seq: number;
  merchant_id: string;
  day: string;
  sales: number;
  gross_fen: number;
  stored_value_fen: number;
  reversals: number;
  refunds_fen: number;
  net_fen: number;
  prev_hash: string;
  hash: string;
}

/** 日结: per merchant and local day, once, after midnight or after a restart that missed it; chained. */
describe('the daily close', () => {
  let h: PrepaidHarness;
  const closes = () => h.store.db.prepare('SELECT * FROM daily_closes ORDER BY seq').all() as Close[];
  beforeEach(async () => {
    h = prepaidHarness(NOON);
    await h.push('catalog', {
      merchants: [
        { id: 'cafe-01', name: 'Café' },
        { id: 'shop-02', name: 'Shop' },
      ],
      members: [{ id: 'm-1', cardType: 'registered' }],
    });
    await h.push('allowances', { grants: [{ grantId: 'g-1', memberId: 'm-1', amountFen: 100_000 }] });
  });
  afterEach(() => h.close());

  const day1 = async () => {
    const a = await h.pay('m-1', 'cafe-01', 1_000);
    await h.pay('m-1', 'cafe-01', 2_000);
    await h.pay('m-1', 'shop-02', 500);
    await h.svc.reverse(a.redemptionId, 'staff:test');
  };

  it('closes each merchant at local midnight, with the day’s figures, once', async () => {
    await day1();
    h.prepaid.start();
    // up to a second before midnight: the day is not over, nothing closes
    h.clock.advance(dayStart('2026-11-19', TZ) - NOON - 1_000);
    await h.prepaid.closes.closeDue();
    expect(closes()).toEqual([]);
    // a purchase in the first seconds of the next day belongs to that day
    h.clock.advance(500);
    h.clock.advance(1_000);
    await h.pay('m-1', 'cafe-01', 700);
    h.clock.advance(60_000);
    await expect.poll(() => closes().length).toBe(2);
    const [cafe, shop] = closes();
    expect(cafe).toMatchObject({
      merchant_id: 'cafe-01',
      day: '2026-11-18',
      sales: 2,
      gross_fen: 3_000,
      stored_value_fen: 3_000,
      reversals: 1,
      refunds_fen: 1_000,
      net_fen: 2_000,
      prev_hash: GENESIS_HASH,
    });
    expect(shop).toMatchObject({ merchant_id: 'shop-02', day: '2026-11-18', sales: 1, net_fen: 500 });
    expect(shop?.prev_hash).toBe(cafe?.hash);
    // again, and on demand: nothing more for a closed day
    expect(await h.prepaid.closes.closeDue()).toEqual([]);
    h.clock.advance(HOUR);
    expect(await h.prepaid.closes.closeDue()).toEqual([]);
    expect(closes()).toHaveLength(2);
    // the cloud hears of each close once, as written
    expect(h.events('prepaid.daily_closed').map((e) => [e.merchantId, e.day, e.hash])).toEqual(
      closes().map((c) => [c.merchant_id, c.day, c.hash]),
    );
  });

  it('a restart that slept through midnights closes every day not closed, then nets equal what is owed', async () => {
    await day1();
    await h.prepaid.closes.closeDue();
    expect(closes()).toEqual([]);
    // the gateway stops before midnight and starts again three days later
    h.clock.advance(12 * HOUR + 60_000);
    await h.pay('m-1', 'shop-02', 250);
    h.clock.advance(3 * 24 * HOUR);
    const restarted = createPrepaid({
      db: h.store.db,
      reader: h.store.reader,
      ledger: h.ledger,
      writer: h.writer,
      outbox: h.outbox,
      clock: h.clock,
      log: silentLogger(),
      timezone: TZ,
      config: PrepaidConfigSchema.parse({}),
    });
    restarted.start();
    await expect.poll(() => closes().length).toBe(8);
    await restarted.stop();
    expect(closes().map((c) => `${c.day} ${c.merchant_id}`)).toEqual(
      ['2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21'].flatMap((d) => [`${d} cafe-01`, `${d} shop-02`]),
    );
    for (const m of ['cafe-01', 'shop-02']) {
      const net = closes()
        .filter((c) => c.merchant_id === m)
        .reduce((s, c) => s + c.net_fen, 0);
      expect(net, m).toBe(h.ledger.balance(account.merchant(m), 'fen'));
    }
    expect(verifyCloses(h.store.db)).toEqual({ ok: true, closes: 8, problems: [] });
  });

  it('verify detects a close altered, and a ledger rewritten after a close though it verifies in itself', async () => {
    await day1();
    h.clock.advance(24 * HOUR);
    await h.prepaid.closes.closeDue();
    expect(verifyCloses(h.store.db).ok).toBe(true);
    const db = h.store.db;

    db.exec('DROP TRIGGER daily_closes_no_update');
    db.prepare('UPDATE daily_closes SET net_fen = net_fen + 100 WHERE seq = 1').run();
    expect(verifyCloses(db).problems).toEqual([expect.objectContaining({ kind: 'close_hash_mismatch', seq: 1 })]);
    db.prepare('UPDATE daily_closes SET net_fen = net_fen - 100 WHERE seq = 1').run();
    expect(verifyCloses(db).ok).toBe(true);

    // the ledger rewritten before the close's tip, every hash recomputed: consistent in itself
    forgeChain(db, (r) => (r.seq === 2 ? { ...r, at: r.at - 1 } : r));
    expect(verifyLedger(db).ok).toBe(true);
    const found = verifyCloses(db).problems;
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((p) => p.kind === 'close_ledger_mismatch')).toBe(true);
  });

  it('local days follow the gateway’s time zone', () => {
    expect(new Date(dayStart('2026-11-18', TZ)).toISOString()).toBe('2026-11-17T16:00:00.000Z');
    expect(new Date(dayStart('2026-03-08', 'America/New_York')).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(dayStart('2026-03-09', 'America/New_York')).toISOString()).toBe('2026-03-09T04:00:00.000Z');
  });
});

describe('the daily close without merchants', () => {
  it('finds nothing to close and returns, however many days passed', async () => {
    const h = prepaidHarness(NOON);
    try {
      await h.push('catalog', { members: [{ id: 'm-1' }] });
      await h.push('allowances', { grants: [{ grantId: 'g-1', memberId: 'm-1', amountFen: 100 }] });
      h.clock.advance(5 * 24 * HOUR);
      expect(await h.prepaid.closes.closeDue()).toEqual([]);
      expect(h.prepaid.closes.list('2026-01-01', '2027-01-01')).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
