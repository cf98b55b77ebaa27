import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { benefits, daily, heatmap, summary } from '../../gateway/reports/report-queries.ts';
import { reportStore, sh } from './fixture.ts';

const FROM = sh('2025-03-01T00:00');
const TO = sh('2025-03-15T00:00');
const STATES = ['declined', 'held', 'captured', 'voided', 'reversed'] as const;

/**
 * The community's heat map, daily series and benefits come from rollups kept by triggers (migration 22).
 * Whatever happens to the redemptions (captured at once or later, voided, reversed, deleted benefits), they
 * must say exactly what the redemptions themselves say: the same reports over a period of whole days plus
 * one millisecond (which never uses the rollups) are the reference.
 */
describe('report rollups', () => {
  it('agree with the redemptions after any history of captures, voids and reversals', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            minute: fc.integer({ min: -600, max: 15 * 1440 + 600 }),
            state: fc.constantFrom(...STATES),
            later: fc.option(fc.constantFrom(...STATES), { nil: undefined }),
            payable: fc.integer({ min: 0, max: 50_000 }),
            campaigns: fc.subarray(['c1', 'c2', 'c3']),
          }),
          { maxLength: 60 },
        ),
        (sales) => {
          const r = reportStore();
          try {
            for (const s of sales) {
              const id = r.add({
                at: FROM + s.minute * 60_000,
                state: s.state,
                payable: s.payable,
                benefits: s.campaigns.map((c, i) => [c, 100 * (i + 1)] as [string, number]),
                merchant: s.minute % 2 ? 'm1' : 'm2',
                member: `mem${s.payable % 4}`,
              });
              if (s.later) r.setState(id, s.later);
            }
            const db = r.store.reader;
            // a period one millisecond longer is not whole hours or days: the redemptions answer it
            const exact = { from: FROM, to: TO };
            const reference = { from: FROM, to: TO + 1 };
            const dropLast = <T>(rows: T[]) => rows.slice(0, -1);
            expect(heatmap(db, exact)).toEqual(heatmap(db, { from: FROM - 1, to: TO }));
            expect(daily(db, exact)).toEqual(dropLast(daily(db, reference)));
            expect(benefits(db, exact)).toEqual(benefits(db, { from: FROM - 1, to: TO }));
            expect(summary(db, exact)).toEqual(summary(db, { from: FROM - 1, to: TO }));
          } finally {
            r.store.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('are used for whole hours and days of the community, not for a shop or a device', () => {
    const r = reportStore();
    try {
      r.add({ at: FROM + 3_600_000, benefits: [['c1', 50]] });
      const plan = (sql: string) =>
        (r.store.reader.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({}) as { detail: string }[]).map((x) => x.detail);
      expect(plan('SELECT sum(n) FROM report_hours WHERE hour >= 1 AND hour <= 2').join()).toMatch(/report_hours/);
      expect(r.store.reader.prepare('SELECT * FROM report_hours').all()).toEqual([
        { hour: (FROM + 3_600_000 + 8 * 3_600_000) / 3_600_000, n: 1, payable_fen: 1000, saving_fen: 50 },
      ]);
      expect(r.store.reader.prepare('SELECT campaign_id, n FROM report_benefit_days').all()).toEqual([
        { campaign_id: 'c1', n: 1 },
      ]);
    } finally {
      r.store.close();
    }
  });
});
