import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../gateway/redemption/domain/model.ts';
import { selectBenefits } from '../../gateway/redemption/domain/select.ts';
import { bill, campaign, input, items } from './fixtures.ts';

const effect = fc.oneof(
  fc.record({
    type: fc.constant('amount_off'),
    thresholdFen: fc.integer({ min: 0, max: 20000 }),
    offFen: fc.integer({ min: 1, max: 5000 }),
  }),
  fc.record({
    type: fc.constant('percent_off'),
    percent: fc.integer({ min: 1, max: 99 }),
    capFen: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('nth_item'),
    n: fc.integer({ min: 2, max: 3 }),
    percent: fc.integer({ min: 1, max: 100 }),
  }),
  fc.record({ type: fc.constant('free_item'), maxUnits: fc.integer({ min: 1, max: 2 }) }),
);

const campaigns = fc
  .array(
    fc.record({
      effect,
      category: fc.constantFrom('a', 'b', 'c', 'd'),
      exclusive: fc.boolean(),
      priority: fc.integer({ min: 0, max: 3 }),
      points: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 7 },
  )
  .map((cs) =>
    cs.map((c, i) =>
      campaign(`c${i}`, {
        effect: Object.fromEntries(Object.entries(c.effect).filter(([, v]) => v !== undefined)),
        category: c.category,
        exclusive: c.exclusive && i % 3 === 0,
        priority: c.priority,
        ...(c.points ? { usage: { type: 'points_exchange', pointsCost: c.points } } : {}),
      }),
    ),
  );

const purchase = fc.oneof(
  fc.integer({ min: 0, max: 30000 }).map((a) => bill(a)),
  fc
    .array(
      fc.tuple(
        fc.constantFrom('milk', 'eggs', 'tofu'),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 4 }),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((lines) => {
      const merged = new Map<string, [string, number, number]>();
      for (const [p, price, qty] of lines) merged.set(p, [p, price, (merged.get(p)?.[2] ?? 0) + qty]);
      return items([...merged.values()]);
    }),
);

/** Every combination allowed by the stacking rules, by brute force, for comparison. */
function bruteForceBest(cs: Campaign[], p: ReturnType<typeof bill>, max: number, points: number): number {
  let best = 0;
  for (let mask = 1; mask < 1 << cs.length; mask++) {
    const picked = cs.filter((_, i) => mask & (1 << i));
    if (picked.length > max) continue;
    if (picked.length > 1 && picked.some((c) => c.exclusive)) continue;
    if (new Set(picked.map((c) => c.category)).size !== picked.length) continue;
    if (picked.reduce((s, c) => s + (c.usage.type === 'points_exchange' ? c.usage.pointsCost : 0), 0) > points)
      continue;
    const sel = selectBenefits(input(picked, p, { maxBenefitsPerPurchase: max, usage: { pointsBalance: points } }));
    // the selector may use a subset of `picked`; it is optimal for this set when it is for the whole
    if (sel.applied.length === picked.length) best = Math.max(best, sel.savingFen);
  }
  return best;
}

describe('best-benefit selection: properties', () => {
  it('never charges a negative amount, explains every benefit, and respects the stacking rules', () => {
    fc.assert(
      fc.property(
        campaigns,
        purchase,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        (cs, p, max, points) => {
          const sel = selectBenefits(input(cs, p, { maxBenefitsPerPurchase: max, usage: { pointsBalance: points } }));
          expect(sel.payableFen).toBeGreaterThanOrEqual(0);
          expect(sel.payableFen).toBe(sel.subtotalFen - sel.savingFen);
          expect(sel.savingFen).toBe(sel.applied.reduce((s, a) => s + a.savingFen, 0));
          // no benefit is applied (and so used up) for nothing on this purchase
          expect(sel.applied.every((a) => a.savingFen > 0 && Number.isInteger(a.savingFen))).toBe(true);
          expect(sel.applied.length).toBeLessThanOrEqual(max);
          expect(new Set(sel.applied.map((a) => a.category)).size).toBe(sel.applied.length);
          if (sel.applied.length > 1)
            expect(sel.applied.every((a) => !cs.find((c) => c.id === a.campaignId)?.exclusive)).toBe(true);
          expect(sel.pointsCost).toBeLessThanOrEqual(points);
          expect(sel.applied.length + sel.notApplied.length).toBe(cs.length);
        },
      ),
      { numRuns: 300, seed: 20261122 },
    );
  });

  it('finds the same saving as trying every allowed combination', () => {
    fc.assert(
      fc.property(
        campaigns,
        purchase,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        (cs, p, max, points) => {
          const sel = selectBenefits(input(cs, p, { maxBenefitsPerPurchase: max, usage: { pointsBalance: points } }));
          expect(sel.savingFen).toBe(bruteForceBest(cs, p, max, points));
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });

  it('never applies a benefit that saves nothing, even when a percent-off pushes a 满减 under its threshold', () => {
    const amountOff = fc.record({
      thresholdFen: fc.integer({ min: 500, max: 6000 }),
      offFen: fc.integer({ min: 100, max: 1500 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        amountOff,
        amountOff,
        fc.integer({ min: 500, max: 8000 }),
        (percent, a, b, amount) => {
          const cs = [
            campaign('tier', { effect: { type: 'percent_off', percent }, category: 'tier' }),
            campaign('a-gift', { effect: { type: 'amount_off', ...a }, category: 'gift' }),
            campaign('coupon', { effect: { type: 'amount_off', ...b }, category: 'coupon' }),
          ];
          const sel = selectBenefits(input(cs, bill(amount)));
          expect(sel.applied.every((x) => x.savingFen > 0)).toBe(true);
          expect(sel.savingFen).toBe(bruteForceBest(cs, bill(amount), 3, 0));
        },
      ),
      { numRuns: 400, seed: 9 },
    );
  });

  it('does not depend on the order campaigns are listed in', () => {
    fc.assert(
      fc.property(campaigns, purchase, (cs, p) => {
        expect(selectBenefits(input([...cs].reverse(), p))).toEqual(selectBenefits(input(cs, p)));
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});
