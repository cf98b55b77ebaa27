import * as z from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LinliError } from '../../../firmware-protocol/src/errors.ts';
import type { HttpPorts } from '../ports.ts';
import { DOC_NAMES } from '../../cloud/cloud-docs.ts';
import { ApiErrorSchema, iso } from '../schemas.ts';

const errors = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema };
const Progress = z.object({
  id: z.string(),
  text: z.string(),
  kinds: z.array(z.string()),
  createdAt: z.string(),
  total: z.number(),
  delivered: z.number(),
  failed: z.number(),
  pending: z.number(),
  targets: z.array(
    z.object({ deviceId: z.string(), status: z.string(), attempts: z.number(), lastError: z.string().nullable() }),
  ),
});

/** Staff: cloud sync status (backlog per stream, document versions) and campaign rollouts to device screens. */
export const cloudRoutes =
  (gw: Pick<HttpPorts, 'cloud' | 'docs' | 'rollouts'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/cloud', {
      config: { role: 'viewer' },
      schema: {
        tags: ['cloud'],
        summary: 'Cloud sync: connection, backlog per stream, versions of the documents from the cloud',
        response: {
          200: z.object({
            enabled: z.boolean(),
            connected: z.boolean(),
            session: z.number(),
            reconnects: z.number(),
            lastConnectedAt: z.string().nullable(),
            lastAckAt: z.string().nullable(),
            overBudget: z.boolean(),
            backlog: z.array(
              z.object({
                stream: z.string(),
                events: z.number(),
                bytes: z.number(),
                oldestAt: z.string().nullable(),
                dropped: z.number(),
              }),
            ),
            documents: z.array(z.object({ doc: z.string(), version: z.number(), issuedAt: z.string().nullable() })),
          }),
          ...errors,
        },
      },
      handler: async () => {
        const s = gw.cloud?.status();
        return {
          enabled: s !== undefined,
          connected: s?.connected ?? false,
          session: s?.session ?? 0,
          reconnects: s?.reconnects ?? 0,
          lastConnectedAt: iso(s?.lastConnectedAt),
          lastAckAt: iso(s?.lastAckAt),
          overBudget: s?.overBudget ?? false,
          backlog: (s?.backlog ?? []).map((b) => ({ ...b, oldestAt: iso(b.oldestAt) })),
          documents: DOC_NAMES.map((doc) => ({
            doc,
            version: gw.docs?.version(doc) ?? 0,
            issuedAt: iso(gw.docs?.issuedAt(doc)),
          })),
        };
      },
    });

    app.get('/rollouts', {
      config: { role: 'viewer' },
      schema: {
        tags: ['cloud'],
        summary: 'Campaign pushes to device screens, with delivery per device',
        response: { 200: z.object({ items: z.array(Progress) }), ...errors },
      },
      handler: async () => ({ items: gw.rollouts.list().map((r) => ({ ...r, createdAt: iso(r.createdAt) ?? '' })) }),
    });

    app.get('/rollouts/:id', {
      config: { role: 'viewer' },
      schema: {
        tags: ['cloud'],
        summary: 'One rollout and its delivery per device',
        params: z.object({ id: z.string().max(64) }),
        response: { 200: Progress, ...errors },
      },
      handler: async (req) => {
        const r = gw.rollouts.get(req.params.id);
        if (!r) throw new LinliError('NOT_FOUND', `no rollout ${req.params.id}`);
        return { ...r, createdAt: iso(r.createdAt) ?? '' };
      },
    });
  };
