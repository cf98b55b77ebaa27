import * as z from 'zod';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { toCsv } from '../../reports/csv.ts';
import { LIABILITY_CSV, type Liability, LiabilitySchema, liabilityLines } from '../../prepaid/liability.ts';
import type { Prepaid } from '../../prepaid/prepaid-module.ts';
import { ApiErrorSchema, ROUTE_ERRORS } from '../schemas.ts';

const errors = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
  409: ApiErrorSchema,
};

const RefundBody = z
  .object({
    /** The caller's key for this refund: a retry with it returns the first answer, and moves nothing again. */
    idempotencyKey: z
      .string()
      .min(8)
      .max(64)
      .regex(/^[A-Za-z0-9_.:-]+$/),
    /** Fen to refund; without it, the whole balance. */
    amountFen: z.number().int().min(1).max(100_000_000).optional(),
    note: z.string().max(200).optional(),
  })
  .strict();
const RefundAnswer = z.object({
  refundId: z.string(),
  memberId: z.string(),
  amountFen: z.number().int(),
  balanceAfterFen: z.number().int(),
  at: z.string(),
  created: z.boolean().describe('false when this answers a retry of the same key'),
});

const CloseView = z.object({
  seq: z.number().int(),
  merchantId: z.string(),
  day: z.string(),
  sales: z.number().int(),
  grossFen: z.number().int(),
  benefitsFen: z.number().int(),
  storedValueFen: z.number().int(),
  reversals: z.number().int(),
  refundsFen: z.number().int(),
  netFen: z.number().int(),
  closedAt: z.string(),
  ledgerSeq: z.number().int(),
  hash: z.string(),
});
const LocalDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** A Buffer bypasses the route's JSON serializer (as the other reports' CSV). */
function sendCsv(reply: FastifyReply, l: Liability) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="liability_${l.at.slice(0, 10)}.csv"`)
    .send(Buffer.from(toCsv(liabilityLines(l), LIABILITY_CSV), 'utf8'));
}

/**
 * Staff: prepaid stored value (gateway/prepaid). A balance refund (admin, once per idempotency key), the
 * outstanding liability per issuer and merchant (JSON or CSV), the daily closes (日结) and closing now.
 */
export const prepaidRoutes =
  (p: Prepaid): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/members/:id/refund', {
      config: { role: 'admin' },
      schema: {
        tags: ['members'],
        summary: "Refund a member's stored value (the whole balance, or amountFen), once per idempotencyKey",
        params: z.object({ id: z.string().min(1).max(64) }),
        body: RefundBody,
        response: { 200: RefundAnswer, ...errors },
      },
      handler: async (req) => {
        const r = await p.refunds.refund({
          memberId: req.params.id,
          idempotencyKey: req.body.idempotencyKey,
          amountFen: req.body.amountFen,
          note: req.body.note,
          requestedBy: `staff:${req.staff?.id ?? 'unknown'}`,
        });
        if (r.created)
          req.log.info({ memberId: r.memberId, refundId: r.refundId, amountFen: r.amountFen }, 'stored value refunded');
        return { ...r, at: new Date(r.at).toISOString() };
      },
    });

    app.get('/reports/liability', {
      config: { role: 'viewer' },
      schema: {
        tags: ['reports'],
        summary: 'Outstanding stored-value liability per issuer and merchant, reconciled with the ledger',
        querystring: z.object({ format: z.enum(['json', 'csv']).default('json') }),
        response: { 200: LiabilitySchema, ...ROUTE_ERRORS },
      },
      handler: async (req, reply) => {
        const l = p.liability();
        return req.query.format === 'csv' ? sendCsv(reply, l) : l;
      },
    });

    app.get('/reports/closes', {
      config: { role: 'viewer' },
      schema: {
        tags: ['reports'],
        summary: 'Daily closes (日结) per merchant for local days from..to (included)',
        querystring: z.object({ from: LocalDay, to: LocalDay }),
        response: { 200: z.object({ items: z.array(CloseView) }), ...ROUTE_ERRORS },
      },
      handler: async (req) => ({
        items: p.closes
          .list(req.query.from, req.query.to)
          .map((c) => ({ ...c, closedAt: new Date(c.closedAt).toISOString() })),
      }),
    });

    app.post('/prepaid/close', {
      config: { role: 'admin' },
      schema: {
        tags: ['reports'],
        summary: 'Close every finished local day not closed yet, now (the gateway also does so after midnight)',
        response: { 200: z.object({ closed: z.number().int(), days: z.array(z.string()) }), ...errors },
      },
      handler: async () => {
        const written = await p.closes.closeDue();
        return { closed: written.length, days: [...new Set(written.map((c) => c.day))] };
      },
    });
  };
