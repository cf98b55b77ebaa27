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
