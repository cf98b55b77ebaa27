import * as z from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Clock } from '../../core/clock.ts';
import type { ReadDb } from '../../store/db-type.ts';
import { toCsv, type CsvColumn } from '../../reports/csv.ts';
import { reportPeriod } from '../../reports/period.ts';
import { BENEFITS_CSV, DAILY_CSV, HEATMAP_CSV, MERCHANTS_CSV, SUMMARY_CSV } from '../../reports/report-csv.ts';
import { reportQueries, topBenefits, type ReportParams } from '../../reports/report-queries.ts';
import {
  BenefitRowSchema,
  DailyRowSchema,
  HeatCellSchema,
  MerchantRowSchema,
  SHANGHAI_OFFSET_MS,
  SummarySchema,
} from '../../reports/report-schemas.ts';
import { ROUTE_ERRORS } from '../schemas.ts';

const Query = z.object({
  from: z.string().max(40).optional().describe('Start, included: 2025-03-01 (Shanghai midnight) or a time'),
  to: z.string().max(40).optional().describe('End, excluded; without from and to: the last 30 days'),
  merchant: z.string().min(1).max(64).optional().describe("A shop's token always gets its own shop"),
  device: z.string().min(1).max(64).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
const Top = z.object({
  sort: z.enum(['uses', 'saving']).default('uses'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const Report = z.object({
  from: z.string().describe('ISO 8601, UTC'),
  to: z.string(),
  merchantId: z.string().nullable(),
  deviceId: z.string().nullable(),
});
const answer = <T extends z.ZodType>(items: T) => Report.extend({ items: z.array(items) });
const SummaryAnswer = Report.extend({
  summary: SummarySchema,
  topByUses: z.array(BenefitRowSchema),
  topBySaving: z.array(BenefitRowSchema),
});

/** Only a whole shop's reports for a shop's token, whatever the query asks. */
function params(req: FastifyRequest, q: z.infer<typeof Query>, now: number): ReportParams {
  const shop = req.staff?.merchantId ?? undefined;
  return { ...reportPeriod(q, now), merchantId: shop ?? q.merchant, deviceId: q.device };
}

const header = (p: ReportParams) => ({
  from: new Date(p.from).toISOString(),
  to: new Date(p.to).toISOString(),
  merchantId: p.merchantId ?? null,
  deviceId: p.deviceId ?? null,
});

const shanghaiDay = (ms: number) => new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);

/** A Buffer bypasses the route's JSON serializer; the name says what and when, in ASCII for every browser. */
function sendCsv<T>(reply: FastifyReply, name: string, p: ReportParams, rows: readonly T[], cols: CsvColumn<T>[]) {
  const scope = [p.merchantId, p.deviceId].filter((s) => s !== undefined).join('_');
  const file = `${name}_${scope ? `${scope}_` : ''}${shanghaiDay(p.from)}_${shanghaiDay(p.to - 1)}.csv`;
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file.replace(/[^A-Za-z0-9_.-]/g, '-')}"`)
    .send(Buffer.from(toCsv(rows, cols), 'utf8'));
}

const config = { role: 'viewer', merchantScoped: true } as const;
const about = (summary: string) => ({ tags: ['reports'], summary: `${summary} (captured redemptions only)` });

/**
 * Staff: merchant reports over [from, to), Shanghai time, for the community, one shop or one device,
 * as JSON or as CSV for Excel (format=csv). Reads on the read-only connection, never the writer's.
 */
export const reportRoutes =
  (deps: { reader: ReadDb; clock: Pick<Clock, 'now'> }): FastifyPluginAsyncZod =>
  async (app) => {
    const q = reportQueries(deps.reader);

    app.get('/reports/heatmap', {
      config,
      schema: {
        ...about('Redemptions by day of week × hour (核销热力图)'),
        querystring: Query,
        response: { 200: answer(HeatCellSchema), ...ROUTE_ERRORS },
      },
      handler: async (req, reply) => {
        const p = params(req, req.query, deps.clock.now());
        const items = q.heatmap(p);
        return req.query.format === 'csv' ? sendCsv(reply, 'heatmap', p, items, HEATMAP_CSV) : { ...header(p), items };
      },
    });

    app.get('/reports/merchants', {
      config,
      schema: {
        ...about('Redemptions, payable and saving per shop'),
        querystring: Query,
        response: { 200: answer(MerchantRowSchema), ...ROUTE_ERRORS },
      },
      handler: async (req, reply) => {
        const p = params(req, req.query, deps.clock.now());
        const items = q.merchants(p);
        return req.query.format === 'csv'
          ? sendCsv(reply, 'merchants', p, items, MERCHANTS_CSV)
          : { ...header(p), items };
      },
    });

    app.get('/reports/benefits', {
      config,
      schema: {
        ...about('Uses and saving per benefit campaign, the most used (sort=uses) or most generous first'),
        querystring: Query.extend(Top.shape),
        response: { 200: answer(BenefitRowSchema), ...ROUTE_ERRORS },
      },
      handler: async (req, reply) => {
        const p = params(req, req.query, deps.clock.now());
        const items = topBenefits(q.benefits(p), req.query.sort, req.query.limit);
        return req.query.format === 'csv'
          ? sendCsv(reply, 'benefits', p, items, BENEFITS_CSV)
          : { ...header(p), items };
      },
    });

    app.get('/reports/summary', {
      config,
      schema: {
        ...about('Totals, average order value, repurchase rate and the top 10 benefits'),
        querystring: Query,
        response: { 200: SummaryAnswer, ...ROUTE_ERRORS },
      },
      handler: async (req, reply) => {
        const p = params(req, req.query, deps.clock.now());
        const summary = q.summary(p);
        if (req.query.format === 'csv') return sendCsv(reply, 'summary', p, [summary], SUMMARY_CSV);
        const used = q.benefits(p);
        return {
          ...header(p),
          summary,
          topByUses: topBenefits(used, 'uses', 10),
          topBySaving: topBenefits(used, 'saving', 10),
        };
      },
    });

    app.get('/reports/daily', {
      config,
      schema: {
        ...about('Redemptions and amounts per Shanghai day, days without sales at zero'),
        querystring: Query,
        response: { 200: answer(DailyRowSchema), ...ROUTE_ERRORS },
      },
      handler: async (req, reply) => {
        const p = params(req, req.query, deps.clock.now());
        const items = q.daily(p);
        return req.query.format === 'csv' ? sendCsv(reply, 'daily', p, items, DAILY_CSV) : { ...header(p), items };
      },
    });
  };
