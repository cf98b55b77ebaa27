import * as z from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import type { AccessFlow } from './access-flow.ts';
import type { AccessRepo } from './access-repo.ts';
import { iso, RecordIdSchema, ROUTE_ERRORS } from '../../gateway/http/api-error.ts';

const errors = ROUTE_ERRORS;
const Id = RecordIdSchema;
const HHMM = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'expected HH:MM');
const MAX_VISITOR_DAYS = 30;
const minutes = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));

/** What the doors' staff routes use. */
export interface AccessRoutePorts {
  readonly access: AccessFlow;
  readonly accessRepo: AccessRepo;
  /** The gateway's wall clock, for validating times staff give. */
  now(): number;
}

/** Staff: door access points and rules, visitor codes, activity check-in events, the access log. */
export const accessRoutes =
  (f: AccessRoutePorts): FastifyPluginAsyncZod =>
  async (app) => {
    app.put('/access/points/:device/:door', {
      config: { role: 'admin' },
      schema: {
        tags: ['access'],
        summary: 'Set the zone (building, gate) a door of a reader opens',
        params: z.object({ device: Id, door: z.string().min(1).max(16) }),
        body: z.object({ zone: z.string().min(1).max(64) }).strict(),
        response: { 200: z.object({ ok: z.literal(true) }), ...errors },
      },
      handler: async (req) => {
        f.accessRepo.setZone(req.params.device, req.params.door, req.body.zone);
        return { ok: true as const };
      },
    });

    const hhmm = (min: number) =>
      `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
    app.get('/access/rules', {
      config: { role: 'viewer' },
      schema: {
        tags: ['access'],
        summary: 'Access rules: who (a member or a tier) may open which zone, on which days and hours',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                memberId: z.string().nullable(),
                tier: z.string().nullable(),
                zone: z.string(),
                weekdays: z.string(),
                from: z.string(),
                to: z.string(),
                validUntil: z.string().nullable(),
              }),
            ),
          }),
          ...errors,
        },
      },
      handler: async () => ({
        items: f.accessRepo.rules().map((r) => ({
          id: r.id,
          memberId: r.memberId,
          tier: r.tier,
          zone: r.zone,
          weekdays: r.weekdays,
          from: hhmm(r.fromMin),
          to: hhmm(r.toMin),
          validUntil: iso(r.validUntil),
        })),
      }),
    });

    app.get('/access/points', {
      config: { role: 'viewer' },
      schema: {
        tags: ['access'],
        summary: "Readers' doors and the zone each opens",
        response: {
          200: z.object({ items: z.array(z.object({ deviceId: z.string(), door: z.string(), zone: z.string() })) }),
          ...errors,
        },
      },
      handler: async () => ({ items: f.accessRepo.points() }),
    });

    app.put('/access/rules/:id', {
      config: { role: 'admin' },
      schema: {
        tags: ['access'],
        summary: 'Add or replace an access rule: a member or a tier, a zone ("*" for all), days and hours',
        params: z.object({ id: Id }),
        body: z
          .object({
            memberId: Id.optional(),
            tier: z.string().min(1).max(32).optional(),
            zone: z.string().min(1).max(64),
            weekdays: z
              .string()
              .regex(/^[1-7]{1,7}$/, 'ISO weekdays, e.g. "12345"')
              .default('1234567'),
            from: HHMM.default('00:00'),
            to: HHMM.default('24:00'),
            validUntil: z.iso.datetime().optional(),
          })
          .strict()
          .refine((b) => (b.memberId === undefined) !== (b.tier === undefined), {
            message: 'give exactly one of memberId or tier',
          }),
        response: { 200: z.object({ ok: z.literal(true) }), ...errors },
      },
      handler: async (req) => {
        const b = req.body;
        f.accessRepo.addRule({
          id: req.params.id,
          memberId: b.memberId,
          tier: b.tier,
          zone: b.zone,
          weekdays: b.weekdays,
          fromMin: minutes(b.from),
          toMin: minutes(b.to),
          validUntil: b.validUntil ? Date.parse(b.validUntil) : undefined,
        });
        return { ok: true as const };
      },
    });

    app.delete('/access/rules/:id', {
      config: { role: 'admin' },
      schema: {
        tags: ['access'],
        summary: 'Remove an access rule',
        params: z.object({ id: Id }),
        response: { 200: z.object({ ok: z.literal(true) }), ...errors },
      },
      handler: async (req) => {
        if (!f.accessRepo.deleteRule(req.params.id)) throw new LinliError('NOT_FOUND', `no rule ${req.params.id}`);
        return { ok: true as const };
      },
    });

    app.post('/access/visitor-codes', {
      config: { role: 'operator' },
      schema: {
        tags: ['access'],
        summary: 'A visitor code for a zone, valid for a time and a number of uses. The code is shown once.',
        body: z
          .object({
            zone: z.string().min(1).max(64),
            hostMemberId: Id.optional(),
            label: z.string().max(64).optional(),
            validFrom: z.iso.datetime().optional(),
            expiresAt: z.iso.datetime(),
            uses: z.number().int().min(1).max(100).optional(),
          })
          .strict(),
        response: { 201: z.object({ code: z.string(), expiresAt: z.string() }), ...errors },
      },
      handler: async (req, reply) => {
        const b = req.body;
        // a code for every zone is staff-wide access: only an admin may issue one; and a visitor code is for a visit
        if (b.zone === '*' && req.staff?.role !== 'admin')
          throw new LinliError('FORBIDDEN', 'a visitor code for every zone ("*") needs the admin role');
        if (Date.parse(b.expiresAt) - f.now() > MAX_VISITOR_DAYS * 86_400_000)
          throw new LinliError('VALIDATION_FAILED', `a visitor code is valid for at most ${MAX_VISITOR_DAYS} days`);
        const r = await f.access.createVisitorCode({
          zone: b.zone,
          hostMemberId: b.hostMemberId,
          label: b.label,
          validFrom: b.validFrom ? Date.parse(b.validFrom) : undefined,
          expiresAt: Date.parse(b.expiresAt),
          uses: b.uses,
        });
        return reply.code(201).send({ code: r.code, expiresAt: iso(r.expiresAt) ?? '' });
      },
    });

    app.get('/access/visitor-codes', {
      config: { role: 'viewer' },
      schema: {
        tags: ['access'],
        summary: 'Visitor codes that still open a door (never the codes themselves), soonest to expire first',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                zone: z.string(),
                label: z.string().nullable(),
                hostMemberId: z.string().nullable(),
                validFrom: z.string(),
                expiresAt: z.string(),
                usesLeft: z.number().int().nullable(),
              }),
            ),
          }),
          ...errors,
        },
      },
      handler: async () => ({
        items: f.accessRepo.activeVisitorCodes(f.now()).map((c) => ({
          id: c.id,
          zone: c.zone,
          label: c.label ?? null,
          hostMemberId: c.hostMemberId ?? null,
          validFrom: iso(c.validFrom) ?? '',
          expiresAt: iso(c.expiresAt) ?? '',
          usesLeft: c.usesLeft ?? null,
        })),
      }),
    });

    app.delete('/access/visitor-codes/:id', {
      config: { role: 'operator' },
      schema: {
        tags: ['access'],
        summary: 'Revoke a visitor code: it stops opening doors at once',
        params: z.object({ id: z.string().regex(/^[0-9a-f]{12}$/, 'the id GET /access/visitor-codes gives') }),
        response: { 204: z.null(), ...errors },
      },
      handler: async (req, reply) => {
        if (!(await f.access.revokeVisitorCode(req.params.id)))
          throw new LinliError('NOT_FOUND', `no active visitor code ${req.params.id}`);
        req.log.info({ visitorCode: req.params.id, by: req.staff?.id }, 'visitor code revoked');
        return reply.code(204).send(null);
      },
    });

    app.put('/access/events/:id', {
      config: { role: 'operator' },
      schema: {
        tags: ['access'],
        summary: 'Set a reader to a community activity: a tap checks in and earns points once per member',
        params: z.object({ id: Id }),
        body: z
          .object({
            name: z.string().min(1).max(64),
            deviceId: Id,
            points: z.number().int().min(1).max(10_000),
            startsAt: z.iso.datetime(),
            endsAt: z.iso.datetime(),
          })
          .strict(),
        response: { 200: z.object({ ok: z.literal(true) }), ...errors },
      },
      handler: async (req) => {
        const b = req.body;
        if (Date.parse(b.endsAt) <= Date.parse(b.startsAt))
          throw new LinliError('VALIDATION_FAILED', 'endsAt must be after startsAt');
        f.accessRepo.addEvent({
          id: req.params.id,
          name: b.name,
          deviceId: b.deviceId,
          points: b.points,
          startsAt: Date.parse(b.startsAt),
          endsAt: Date.parse(b.endsAt),
        });
        return { ok: true as const };
      },
    });

    app.get('/access/log', {
      config: { role: 'viewer' },
      schema: {
        tags: ['access'],
        summary: 'Access decisions, newest first',
        querystring: z.object({
          device: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                at: z.string(),
                deviceId: z.string(),
                door: z.string(),
                zone: z.string(),
                subject: z.string().nullable(),
                method: z.string(),
                decision: z.string(),
                reason: z.string(),
              }),
            ),
          }),
          ...errors,
        },
      },
      handler: async (req) => ({
        items: f.accessRepo.recent(req.query.device, req.query.limit).map((e) => ({
          at: iso(e.at) ?? '',
          deviceId: e.deviceId,
          door: e.door,
          zone: e.zone,
          subject: e.subject ?? null,
          method: e.method,
          decision: e.decision,
          reason: e.reason,
        })),
      }),
    });
  };
