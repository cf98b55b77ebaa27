import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/core/clock.ts';
import { staffAuth } from '../../gateway/http/auth.ts';
import { errorHandler, notFoundHandler } from '../../gateway/http/errors.ts';
import { reportRoutes } from '../../gateway/http/routes/reports.ts';
import { StaffTokens } from '../../gateway/security/staff-tokens.ts';
import { reportStore, sh } from './fixture.ts';

/** The staff API's own pieces (auth, errors, zod), with only the report routes mounted as server.ts will. */
async function app() {
  const fx = reportStore();
  const clock = new ManualClock(sh('2025-03-20T10:00'));
  const tokens = new StaffTokens(fx.store.tokens, { submit: async (work) => work() }, clock);
  const a = Fastify().withTypeProvider<ZodTypeProvider>();
  a.setValidatorCompiler(validatorCompiler);
  a.setSerializerCompiler(serializerCompiler);
  a.setErrorHandler(errorHandler);
  a.setNotFoundHandler(notFoundHandler);
  a.addHook('onRequest', staffAuth(tokens));
  await a.register(reportRoutes({ reader: fx.store.reader, clock }), { prefix: '/api/v1' });
  const viewer = (await tokens.create('viewer')).token;
  const shop = (await tokens.create('viewer', 'shop m2', 'm2')).token;
  const get = async (url: string, token = viewer) => {
    const res = await a.inject({ method: 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` } });
    return { status: res.statusCode, headers: res.headers, text: res.body, json: () => res.json() };
  };
  return { fx, a, get, shop, close: async () => (await a.close(), fx.store.close()) };
}

let t: Awaited<ReturnType<typeof app>>;
beforeEach(async () => {
  t = await app();
  const at = sh('2025-03-05T12:10');
  t.fx.add({ at, merchant: 'm1', payable: 1000, benefits: [['c1', 100]] });
  t.fx.add({ at, merchant: 'm2', payable: 2000, benefits: [['c2', 300]] });
  t.fx.add({ at, merchant: 'm2', payable: 4000, state: 'reversed', benefits: [['c2', 300]] });
});
afterEach(() => t.close());

const PERIOD = 'from=2025-03-01&to=2025-04-01';

describe('report routes', () => {
  it('answers JSON with the period in UTC and the scope', async () => {
    const res = await t.get(`/reports/merchants?${PERIOD}`);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      from: '2025-02-28T16:00:00.000Z',
      to: '2025-03-31T16:00:00.000Z',
      merchantId: null,
      deviceId: null,
      items: [
        { merchantId: 'm1', redemptions: 1, payableFen: 1000, savingFen: 100 },
        { merchantId: 'm2', redemptions: 1, payableFen: 2000, savingFen: 300 },
      ],
    });
    const heat = (await t.get(`/reports/heatmap?${PERIOD}`)).json();
    expect(heat.items).toHaveLength(168);
    expect(heat.items.find((c: { redemptions: number }) => c.redemptions > 0)).toMatchObject({
      dayOfWeek: 3,
      hour: 12,
      redemptions: 2,
    });
    const summary = (await t.get(`/reports/summary?${PERIOD}`)).json();
    expect(summary.summary).toMatchObject({ redemptions: 2, payableFen: 3000, averageOrderFen: 1500, members: 1 });
    expect(summary.topBySaving.map((b: { campaignId: string }) => b.campaignId)).toEqual(['c2', 'c1']);
    const daily = (await t.get('/reports/daily?from=2025-03-05&to=2025-03-06')).json();
    expect(daily.items).toEqual([{ date: '2025-03-05', redemptions: 2, payableFen: 3000, savingFen: 400 }]);
    const top = (await t.get(`/reports/benefits?${PERIOD}&sort=saving&limit=1`)).json();
    expect(top.items).toEqual([{ campaignId: 'c2', uses: 1, payableFen: 2000, savingFen: 300 }]);
  });

  it('answers CSV as an attachment for Excel', async () => {
    const res = await t.get(`/reports/merchants?${PERIOD}&merchant=m1&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="merchants_m1_2025-03-01_2025-03-31.csv"');
    expect(res.text).toBe(
      '\uFEFF商户 (merchant),核销笔数 (redemptions),实付 (payable_fen),优惠 (saving_fen)\r\nm1,1,1000,100\r\n',
    );
    for (const report of ['heatmap', 'benefits', 'summary', 'daily']) {
      const r = await t.get(`/reports/${report}?${PERIOD}&format=csv`);
      expect(r.status, report).toBe(200);
      expect(r.text.startsWith('\uFEFF'), report).toBe(true);
    }
  });

  it("gives a shop's token its own shop, whatever the query asks", async () => {
    const res = await t.get(`/reports/merchants?${PERIOD}&merchant=m1`, t.shop);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      merchantId: 'm2',
      items: [{ merchantId: 'm2', redemptions: 1, payableFen: 2000, savingFen: 300 }],
    });
    const benefits = (await t.get(`/reports/benefits?${PERIOD}`, t.shop)).json();
    expect(benefits.items.map((b: { campaignId: string }) => b.campaignId)).toEqual(['c2']);
  });

  it('refuses bad periods with 400 and a clear message', async () => {
    const cases: [string, RegExp][] = [
      ['from=2025-03-02&to=2025-03-01', /from must be before to/],
      ['from=2025-03-01&to=2025-03-01', /from must be before to/],
      ['from=2024-01-01&to=2025-03-01', /at most 400 days/],
      ['from=soon&to=2025-03-01', /from: "soon" is not a date/],
      [`${PERIOD}&format=xlsx`, /format/],
    ];
    for (const [query, message] of cases) {
      const res = await t.get(`/reports/heatmap?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(res.json().error.message).toMatch(message);
    }
  });

  it('needs a token', async () => {
    const res = await t.a.inject({ method: 'GET', url: `/api/v1/reports/daily?${PERIOD}` });
    expect(res.statusCode).toBe(401);
  });
});
