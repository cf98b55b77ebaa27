import {
  CampaignSchema,
  MemberSchema,
  type BenefitInstance,
  type Campaign,
} from '../gateway/redemption/domain/model.ts';
import { selectBenefits, type SelectionInput } from '../gateway/redemption/domain/select.ts';
import { NO_USAGE } from '../gateway/redemption/domain/usage-facts.ts';

/** A member holding 50 active benefits of every type, at a shop with a 123.45 yuan bill and items. */
function fiftyBenefitInput(now = Date.UTC(2026, 10, 18, 1, 0)): SelectionInput {
  const effects = [
    { type: 'amount_off', thresholdFen: 5000, offFen: 1000 },
    { type: 'percent_off', percent: 15, capFen: 3000 },
    { type: 'nth_item', n: 2, percent: 50 },
    { type: 'fixed_price', priceFen: 990 },
    { type: 'free_item' },
  ];
  const campaigns: Campaign[] = [];
  const instances: BenefitInstance[] = [];
  for (let i = 0; i < 50; i++) {
    const c = CampaignSchema.parse({
      id: `c-${i}`,
      name: { zh: `权益${i}`, en: `benefit ${i}` },
      effect: effects[i % effects.length],
      usage: i % 2 ? { type: 'single_use' } : { type: 'always_on' },
      rules: {
        ...(i % 5 >= 2 ? { products: ['milk', 'eggs', 'set'] } : {}),
        ...(i % 7 === 0 ? { hours: [{ from: '07:00', to: '11:00' }] } : {}),
      },
      category: `cat-${i % 8}`,
      exclusive: i % 17 === 0,
      priority: i % 4,
    });
    campaigns.push(c);
    if (i % 2)
      instances.push({ id: `i-${i}`, campaignId: c.id, memberId: 'm-1', issuedAt: 0, usesLeft: 1, status: 'active' });
  }
  return {
    member: MemberSchema.parse({ id: 'm-1', tier: 'gold' }),
    purchase: {
      merchantId: 'fresh-01',
      items: [
        { productId: 'milk', unitPriceFen: 450, qty: 4 },
        { productId: 'eggs', unitPriceFen: 1200, qty: 2 },
        { productId: 'set', unitPriceFen: 1500, qty: 1 },
      ],
      amountFen: 12345,
      at: now,
    },
    campaigns: new Map(campaigns.map((c) => [c.id, c])),
    instances,
    usage: NO_USAGE,
    now,
    timezone: 'Asia/Shanghai',
    maxBenefitsPerPurchase: 3,
  };
}

/** Decisions per second and latency percentiles of best-benefit selection (pure, no I/O). */
export function benchDecisions(iterations = 20_000): {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  applied: number;
} {
  const input = fiftyBenefitInput();
  // the gateway runs for months: what counts is the speed once V8's optimising compiler has the code, so
  // the warm-up is a second of decisions (100 were enough when one took a millisecond; at tens of
  // microseconds they end before TurboFan has compiled anything, and the figure measured start-up)
  const warm = performance.now();
  while (performance.now() - warm < 1000) selectBenefits(input);
  const times: number[] = [];
  let applied = 0;
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    applied = selectBenefits(input).applied.length;
    times.push(performance.now() - t);
  }
  const total = performance.now() - start;
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
  return { perSecond: Math.round((iterations / total) * 1000), p50Ms: pct(0.5), p99Ms: pct(0.99), applied };
}
