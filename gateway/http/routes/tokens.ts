import * as z from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LinliError } from '../../../firmware-protocol/src/errors.ts';
import type { HttpPorts } from '../ports.ts';
import { ApiErrorSchema, iso, TokenCreatedSchema, TokenCreateSchema, TokenListSchema } from '../schemas.ts';

const errors = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema };

/** Staff API tokens (admin). */
export const tokenRoutes =
  (gw: Pick<HttpPorts, 'tokens'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/session', {
      config: { role: 'viewer', merchantScoped: true },
      schema: {
        tags: ['staff'],
        summary: 'Who this token is: its role and shop, so the console shows only what it may do',
        response: {
          200: z.object({
            id: z.string(),
            role: z.enum(['viewer', 'operator', 'admin']),
            label: z.string().nullable(),
            merchantId: z.string().nullable(),
          }),
          ...errors,
        },
      },
      handler: async (req) => {
        const s = req.staff;
        if (!s) throw new LinliError('UNAUTHENTICATED');
        return { id: s.id, role: s.role, label: s.label, merchantId: s.merchantId };
      },
    });

    app.post('/session/link', {
      // the code is the credential: a link printed by `linli token create --link`, used once
      config: { public: true },
      schema: {
        tags: ['staff'],
        summary: 'Trade a one-time sign-in link for a token (no token needed; the link works once, for 15 min)',
        security: [],
        body: z.object({ code: z.string().min(1).max(100) }).strict(),
        response: {
          200: z.object({
            token: z.string(),
            role: z.enum(['viewer', 'operator', 'admin']),
            merchantId: z.string().nullable(),
          }),
          ...errors,
        },
      },
      handler: async (req) => {
        const t = await gw.tokens.redeemLink(req.body.code);
        if (!t)
          throw new LinliError(
            'UNAUTHENTICATED',
            'this sign-in link is unknown, used or expired: ask for a new one (linli token create --link)',
          );
        req.log.info({ tokenId: t.id, role: t.role }, 'signed in with a one-time link');
        return { token: t.token, role: t.role, merchantId: t.merchantId };
      },
    });

    app.get('/tokens', {
      config: { role: 'admin' },
      schema: {
        tags: ['staff'],
        summary: 'Staff tokens (never the tokens themselves)',
        response: { 200: TokenListSchema, ...errors },
      },
      handler: async () => ({
        items: gw.tokens.list().map((t) => ({
          id: t.id,
          role: t.role,
          label: t.label,
          merchantId: t.merchantId,
          createdAt: iso(t.createdAt) ?? '',
          lastUsedAt: iso(t.lastUsedAt),
          revoked: t.revokedAt !== null,
        })),
      }),
    });

    app.post('/tokens', {
      config: { role: 'admin' },
      schema: {
        tags: ['staff'],
        summary: 'Create a staff token; it is shown once',
        body: TokenCreateSchema,
        response: { 201: TokenCreatedSchema, ...errors },
      },
      handler: async (req, reply) =>
        reply
          .code(201)
          .send(await gw.tokens.create(req.body.role, req.body.label ?? null, req.body.merchantId ?? null)),
    });

    app.delete('/tokens/:id', {
      config: { role: 'admin' },
      schema: {
        tags: ['staff'],
        summary: 'Revoke a staff token',
        params: z.object({ id: z.string().max(64) }),
        response: { 204: z.null(), ...errors },
      },
      handler: async (req, reply) => {
        if (!(await gw.tokens.revoke(req.params.id)))
          throw new LinliError('NOT_FOUND', `no active token "${req.params.id}"`);
        return reply.code(204).send(null);
      },
    });
  };
