import * as z from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import type { GroupBuyRepo } from './group-buy-repo.ts';
import type { GroupBuyService } from './group-buys.ts';
import type { LockerFlow } from './locker-flow.ts';
import type { ParcelRepo } from './parcel-repo.ts';
import { iso, RecordIdSchema, ROUTE_ERRORS } from '../../gateway/http/api-error.ts';

const errors = ROUTE_ERRORS;
const Id = RecordIdSchema;

const ParcelView = z.object({
  id: z.string(),
  lockerId: z.string(),
  compartment: z.string(),
  memberId: z.string(),
  tracking: z.string(),
  size: z.string(),
  groupBuyId: z.string().nullable(),
  status: z.string(),
  createdAt: z.string(),
  storedAt: z.string().nullable(),
  pickedUpAt: z.string().nullable(),
  codeExpiresAt: z.string().nullable(),
  overdue: z.boolean().describe("stored longer than lockers.overdueH: counted in the locker's PARCELS_OVERDUE"),
});
const GroupBuyView = z.object({
  id: z.string(),
  title: z.string(),
  targetQty: z.number(),
  orderedQty: z.number(),
  status: z.string(),
  closesAt: z.string().nullable(),
  buyers: z.array(z.object({ memberId: z.string(), qty: z.number(), parcelId: z.string().nullable() })),
});

/** What the lockers' staff routes use. */
export interface LockerRoutePorts {
  readonly locker: LockerFlow;
  readonly parcels: ParcelRepo;
  readonly groupBuys: GroupBuyService;
  readonly groupBuyRepo: GroupBuyRepo;
}

/** Staff: parcels and lockers (a code reissued, a jam cleared, occupancy) and group buys picked up at them. */
export const lockerRoutes =
  (f: LockerRoutePorts): FastifyPluginAsyncZod =>
  async (app) => {
    const gbView = (g: NonNullable<ReturnType<GroupBuyRepo['get']>>) => ({
      id: g.id,
      title: g.title,
      targetQty: g.targetQty,
      orderedQty: g.orderedQty,
      status: g.status,
      closesAt: iso(g.closesAt) ?? null,
      buyers: g.buyers.map((b) => ({ memberId: b.memberId, qty: b.qty, parcelId: b.parcelId ?? null })),
    });

    app.get('/parcels', {
      config: { role: 'viewer' },
      schema: {
        tags: ['lockers'],
        summary: 'Parcels, newest first',
        querystring: z.object({
          locker: z.string().max(64).optional(),
          status: z.enum(['depositing', 'stored', 'opening', 'picked_up', 'deposit_failed']).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ items: z.array(ParcelView) }), ...errors },
      },
      handler: async (req) => ({
        items: f.parcels
          .list({ lockerId: req.query.locker, status: req.query.status, limit: req.query.limit })
          .map((p) => ({
            id: p.id,
            lockerId: p.lockerId,
            compartment: p.compartment,
            memberId: p.memberId,
            tracking: p.tracking,
            size: p.size,
            groupBuyId: p.groupBuyId ?? null,
            status: p.status,
            createdAt: iso(p.createdAt) ?? '',
            storedAt: iso(p.storedAt) ?? null,
            pickedUpAt: iso(p.pickedUpAt) ?? null,
            codeExpiresAt: iso(p.codeExpiresAt) ?? null,
            overdue: f.locker.isOverdue(p),
          })),
      }),
    });

    app.post('/parcels/:id/reissue-code', {
      config: { role: 'operator' },
      schema: {
        tags: ['lockers'],
        summary: 'A new pickup code for a stored parcel; the old one stops working. Shown once.',
        params: z.object({ id: Id }),
        response: { 200: z.object({ code: z.string(), expiresAt: z.string() }), ...errors },
      },
      handler: async (req) => {
        const r = await f.locker.reissueCode(req.params.id);
        return { code: r.code, expiresAt: iso(r.expiresAt) ?? '' };
      },
    });

    app.get('/lockers/:id/occupancy', {
      config: { role: 'viewer' },
      schema: {
        tags: ['lockers'],
        summary: 'Compartments: assigned (assumed), door (confirmed), pending command, jammed',
        params: z.object({ id: Id }),
        response: {
          200: z.object({
            ts: z.number(),
            compartments: z.array(
              z.object({
                id: z.string(),
                size: z.string(),
                assigned: z.boolean(),
                door: z.string(),
                pending: z.string().nullable(),
                jammed: z.boolean(),
              }),
            ),
          }),
          ...errors,
        },
      },
      handler: async (req) => f.locker.occupancy(req.params.id),
    });

    app.post('/lockers/:id/compartments/:compartment/clear-jam', {
      config: { role: 'operator' },
      schema: {
        tags: ['lockers'],
        summary: 'Staff freed a jammed compartment',
        params: z.object({ id: Id, compartment: z.string().min(1).max(8) }),
        response: { 200: z.object({ ok: z.literal(true) }), ...errors },
      },
      handler: async (req) => {
        await f.locker.clearJam(req.params.id, req.params.compartment);
        return { ok: true as const };
      },
    });

    app.get('/group-buys', {
      config: { role: 'viewer' },
      schema: {
        tags: ['group buys'],
        summary: 'Group buys',
        response: { 200: z.object({ items: z.array(GroupBuyView) }), ...errors },
      },
      handler: async () => ({ items: f.groupBuyRepo.list().map(gbView) }),
    });

    app.get('/group-buys/:id', {
      config: { role: 'viewer' },
      schema: {
        tags: ['group buys'],
        summary: 'One group buy',
        params: z.object({ id: Id }),
        response: { 200: GroupBuyView, ...errors },
      },
      handler: async (req) => {
        const g = f.groupBuyRepo.get(req.params.id);
        if (!g) throw new LinliError('NOT_FOUND', `no group buy ${req.params.id}`);
        return gbView(g);
      },
    });

    app.post('/group-buys', {
      config: { role: 'operator' },
      schema: {
        tags: ['group buys'],
        summary: 'Open a group buy; it forms when the target quantity is ordered',
        body: z
          .object({
            id: Id,
            title: z.string().min(1).max(100),
            targetQty: z.number().int().min(1).max(100_000),
            closesAt: z.iso.datetime().optional(),
          })
          .strict(),
        response: { 201: GroupBuyView, ...errors },
      },
      handler: async (req, reply) => {
        const b = req.body;
        const g = await f.groupBuys.create(b.id, b.title, b.targetQty, b.closesAt ? Date.parse(b.closesAt) : undefined);
        return reply.code(201).send(gbView(g));
      },
    });

    app.post('/group-buys/:id/orders', {
      config: { role: 'operator' },
      schema: {
        tags: ['group buys'],
        summary: "Add or change a member's order",
        params: z.object({ id: Id }),
        body: z.object({ memberId: Id, qty: z.number().int().min(1).max(1000) }).strict(),
        response: { 200: GroupBuyView, ...errors },
      },
      handler: async (req) => gbView(await f.groupBuys.join(req.params.id, req.body.memberId, req.body.qty)),
    });
  };
