import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LinliError } from '../../../firmware-protocol/src/errors.ts';
import type { DeskReader } from '../../flows/desk-reader.ts';
import type { RedemptionEngine } from '../../redemption/wire.ts';
import type { Clock } from '../../core/clock.ts';
import { ApiErrorSchema } from '../schemas.ts';

const errors = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
  409: ApiErrorSchema,
};
const Uid = z.string().regex(/^[0-9A-Fa-f]{8,20}$/, 'expected the card UID as 8–20 hex digits');
const CardSchema = z.object({ type: z.enum(['uid', 'sun']), uid: Uid }).strict();

/** Staff: report a card lost (hotlist) and bind a card to a member, typed in or tapped on the office desk reader. */
export const cardRoutes =
  (e: RedemptionEngine, clock: Clock, desk: DeskReader | undefined): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/cards/hotlist', {
      config: { role: 'operator' },
      schema: {
        tags: ['members'],
        summary: 'Hotlist a card: every device refuses it from this moment',
        body: z.object({ credential: CardSchema }).strict(),
        response: { 200: z.object({ memberId: z.string(), blocked: z.literal(true) }), ...errors },
      },
      handler: async (req) => {
        const c = req.body.credential;
        const key = e.resolver.keyFor(c.type, c.uid);
        const rec = e.catalog.credential(key);
        if (!rec) throw new LinliError('MEMBER_NOT_FOUND', 'this card is not registered');
        await e.writer.submit(() => e.catalog.block(key));
        req.log.info({ memberId: rec.memberId }, 'card hotlisted');
        return { memberId: rec.memberId, blocked: true as const };
      },
    });

    app.post('/benefits/:id/coupon-code', {
      config: { role: 'operator' },
      schema: {
        tags: ['members'],
        summary:
          'A scannable code for one issued coupon (shown once; a new one replaces the old). ' +
          'It pays with that coupon only, never from the wallet.',
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 201: z.object({ instanceId: z.string(), code: z.string() }), ...errors },
      },
      handler: async (req, reply) => {
        const inst = e.catalog.instance(req.params.id);
        if (!inst) throw new LinliError('NOT_FOUND', `no issued benefit ${req.params.id}`);
        const code = `LC${randomBytes(12).toString('base64url').replace(/[-_]/g, '').slice(0, 16).padEnd(12, '0')}`;
        await e.writer.submit(() => e.catalog.setCouponCode(e.secrets.codeHash('coupon', code), inst.id, clock.now()));
        return reply.code(201).send({ instanceId: inst.id, code });
      },
    });

    app.post('/members/:id/cards', {
      config: { role: 'operator' },
      schema: {
        tags: ['members'],
        summary:
          'Bind a card to a member: give its UID, ' +
          'or { fromDesk: true } for the card just tapped on the office desk reader',
        params: z.object({ id: z.string().min(1).max(64) }),
        body: z.union([
          z.object({ credential: CardSchema }).strict(),
          z.object({ fromDesk: z.literal(true) }).strict(),
        ]),
        response: { 201: z.object({ memberId: z.string(), type: z.string(), uidMasked: z.string() }), ...errors },
      },
      handler: async (req, reply) => {
        const memberId = req.params.id;
        if (!e.catalog.member(memberId)) throw new LinliError('MEMBER_NOT_FOUND', `no member ${memberId}`);
        let card: { type: 'uid' | 'sun'; uid: string };
        if ('fromDesk' in req.body) {
          const tap = desk?.takeForBinding();
          if (!tap)
            throw new LinliError(
              'NOT_FOUND',
              desk ? 'no card was tapped on the desk reader in the last minute' : 'this gateway has no desk reader',
            );
          card = { type: 'uid', uid: tap };
        } else card = req.body.credential;
        const key = e.resolver.keyFor(card.type, card.uid);
        const existing = e.catalog.credential(key);
        if (existing && existing.memberId !== memberId)
          throw new LinliError('VALIDATION_FAILED', 'this card is bound to another member');
        await e.writer.submit(() => e.catalog.addCredential(key, memberId, card.type, clock.now()));
        return reply.code(201).send({
          memberId,
          type: card.type,
          uidMasked: `${card.uid.slice(0, 2)}…${card.uid.slice(-2)}`.toUpperCase(),
        });
      },
    });
  };
