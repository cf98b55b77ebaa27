import { afterEach, describe, expect, it } from 'vitest';
import { benefits, daily, heatmap, merchants, summary, topBenefits } from '../../gateway/reports/report-queries.ts';
import { reportStore, sh } from './fixture.ts';

let current: ReturnType<typeof reportStore> | undefined;
const fresh = () => {
  current = reportStore();
  return current;
};
afterEach(() => current?.store.close());

const MARCH = { from: sh('2025-03-01T00:00'), to: sh('2025-04-01T00:00') };
const DAY = 86_400_000;

describe('heat map', () => {
  it('puts 23:30 UTC on a Sunday into Monday 07:00 in Shanghai', () => {
    const { store, add } = fresh();
    // 2025-03-02 is a Sunday
    add({ at: Date.parse('2025-03-02T23:30:00Z'), payable: 1234, saving: 100 });
    const cells = heatmap(store.reader, MARCH);
    expect(cells).toHaveLength(168);
    expect(cells[0]).toMatchObject({ dayOfWeek: 1, hour: 0 });
    const hit = cells.filter((c) => c.redemptions > 0);
    expect(hit).toEqual([{ dayOfWeek: 1, hour: 7, redemptions: 1, payableFen: 1234, savingFen: 100 }]);
  });

  it('counts captured redemptions only, per shop and per device', () => {
    const { store, add } = fresh();
    const at = sh('2025-03-05T12:10'); // a Wednesday
    add({ at, merchant: 'm1', device: 'dev-1' });
    add({ at, merchant: 'm2', device: 'dev-2' });
    add({ at, merchant: 'm2', device: 'dev-3' });
    for (const state of ['declined', 'held', 'voided', 'reversed'] as const) add({ at, merchant: 'm1', state });
    const cell = (p: Parameters<typeof heatmap>[1]) =>
      heatmap(store.reader, p).find((c) => c.dayOfWeek === 3 && c.hour === 12)?.redemptions;
    expect(cell(MARCH)).toBe(3);
    expect(cell({ ...MARCH, merchantId: 'm1' })).toBe(1);
    expect(cell({ ...MARCH, merchantId: 'm2' })).toBe(2);
    expect(cell({ ...MARCH, deviceId: 'dev-3' })).toBe(1);
    expect(cell({ ...MARCH, merchantId: 'm1', deviceId: 'dev-3' })).toBe(0);
  });

  it('keeps [from, to) exact to the millisecond', () => {
    const { store, add } = fresh();
    add({ at: MARCH.from - 1 });
    add({ at: MARCH.from });
    add({ at: MARCH.to - 1 });
    add({ at: MARCH.to });
    expect(heatmap(store.reader, MARCH).reduce((a, c) => a + c.redemptions, 0)).toBe(2);
    expect(summary(store.reader, MARCH).redemptions).toBe(2);
    // a period that does not start or end on the hour
    const odd = { from: sh('2025-03-01T00:00') - 1, to: sh('2025-04-01T00:00') };
    expect(heatmap(store.reader, odd).reduce((a, c) => a + c.redemptions, 0)).toBe(3);
    expect(summary(store.reader, { ...odd, from: odd.from + 2 }).redemptions).toBe(1);
    expect(daily(store.reader, { ...odd, merchantId: 'm1' }).map((d) => d.redemptions)).toHaveLength(32);
  });
});

describe('merchants, benefits, daily', () => {
  it('sums per shop and per campaign, leaving out what was given back', () => {
    const { store, add, setState } = fresh();
    const at = sh('2025-03-10T09:00');
    add({ at, merchant: 'm1', payable: 1000, benefits: [['c1', 200]] });
    add({
      at,
      merchant: 'm1',
      payable: 3000,
      benefits: [
        ['c1', 100],
        ['c2', 50],
      ],
    });
    add({ at, merchant: 'm2', payable: 500, benefits: [['c2', 70]] });
    const reversed = add({ at, merchant: 'm2', payable: 9000, benefits: [['c1', 999]] });
    setState(reversed, 'reversed');
    add({ at, merchant: 'm2', payable: 9000, state: 'voided', benefits: [['c1', 999]] });
    expect(merchants(store.reader, MARCH)).toEqual([
      { merchantId: 'm1', redemptions: 2, payableFen: 4000, savingFen: 350 },
      { merchantId: 'm2', redemptions: 1, payableFen: 500, savingFen: 70 },
    ]);
    expect(benefits(store.reader, MARCH)).toEqual([
      { campaignId: 'c1', uses: 2, payableFen: 4000, savingFen: 300 },
      { campaignId: 'c2', uses: 2, payableFen: 3500, savingFen: 120 },
    ]);
    expect(benefits(store.reader, { ...MARCH, merchantId: 'm2' })).toEqual([
      { campaignId: 'c2', uses: 1, payableFen: 500, savingFen: 70 },
    ]);
  });

  it('counts a held purchase from its capture, and a reversed one no longer', () => {
    const { store, add, setState } = fresh();
    const id = add({ at: sh('2025-03-10T09:00'), state: 'held', benefits: [['c1', 200]] });
    expect(benefits(store.reader, MARCH)).toEqual([]);
    setState(id, 'captured');
    expect(benefits(store.reader, MARCH)).toEqual([{ campaignId: 'c1', uses: 1, payableFen: 1000, savingFen: 200 }]);
    setState(id, 'reversed');
    expect(benefits(store.reader, MARCH)).toEqual([]);
    expect(summary(store.reader, MARCH).redemptions).toBe(0);
  });

  it('ranks the top benefits by uses or by saving, ties by id', () => {
    const rows = [
      { campaignId: 'b', uses: 5, payableFen: 0, savingFen: 10 },
      { campaignId: 'a', uses: 5, payableFen: 0, savingFen: 500 },
      { campaignId: 'c', uses: 9, payableFen: 0, savingFen: 20 },
    ];
    expect(topBenefits(rows, 'uses', 2).map((r) => r.campaignId)).toEqual(['c', 'a']);
    expect(topBenefits(rows, 'saving', 3).map((r) => r.campaignId)).toEqual(['a', 'c', 'b']);
  });

  it('gives every Shanghai day of the period, by its local date', () => {
    const { store, add } = fresh();
    add({ at: Date.parse('2025-03-01T16:30:00Z'), payable: 700 }); // 2025-03-02 00:30 in Shanghai
    add({ at: sh('2025-03-03T23:59'), payable: 300, saving: 5 });
    const rows = daily(store.reader, { from: sh('2025-03-01T00:00'), to: sh('2025-03-04T00:00') });
    expect(rows).toEqual([
      { date: '2025-03-01', redemptions: 0, payableFen: 0, savingFen: 0 },
      { date: '2025-03-02', redemptions: 1, payableFen: 700, savingFen: 0 },
      { date: '2025-03-03', redemptions: 1, payableFen: 300, savingFen: 5 },
    ]);
  });
});

describe('summary', () => {
  it('averages the order over captured redemptions, with and without the discount', () => {
    const { store, add } = fresh();
    const at = sh('2025-03-10T09:00');
    add({ at, payable: 1000, saving: 200 });
    add({ at, payable: 2001, saving: 0 });
    add({ at, payable: 50_000, state: 'reversed' });
    expect(summary(store.reader, MARCH)).toMatchObject({
      redemptions: 2,
      payableFen: 3001,
      savingFen: 200,
      averageOrderFen: 1501,
      averageListFen: 1601,
    });
    expect(summary(store.reader, { ...MARCH, merchantId: 'nobody' })).toMatchObject({
      redemptions: 0,
      averageOrderFen: null,
      repurchaseRate: null,
    });
  });

  it('counts a repurchase within 30 days of the first purchase of the period', () => {
    const { store, add } = fresh();
    const d = (n: number) => MARCH.from + n * DAY + 3_600_000;
    add({ member: 'a', at: d(0) });
    add({ member: 'a', at: d(19) }); // repeats within 30 days
    add({ member: 'b', at: d(0) });
    add({ member: 'b', at: d(0) + 30 * DAY + 1 }); // one millisecond too late
    add({ member: 'c', at: d(29) });
    add({ member: 'c', at: d(29) + 30 * DAY }); // after the period, on the last millisecond of the window
    add({ member: 'd', at: d(-5) }); // before the period: the period's first purchase is day 3
    add({ member: 'd', at: d(3) });
    add({ member: 'e', at: d(1) });
    add({ member: 'e', at: d(2), state: 'reversed' }); // given back: not a purchase
    add({ member: 'f', at: d(2), merchant: 'm2' });
    add({ member: 'f', at: d(4), merchant: 'm1' });
    expect(summary(store.reader, MARCH)).toMatchObject({ members: 6, repeatMembers: 3, repurchaseRate: 0.5 });
    // in one shop, a purchase elsewhere is no repurchase: f bought once in m1
    const m1 = summary(store.reader, { ...MARCH, merchantId: 'm1' });
    expect(m1).toMatchObject({ members: 6, repeatMembers: 2 });
    expect(m1.repurchaseRate).toBeCloseTo(1 / 3, 12);
  });
});
