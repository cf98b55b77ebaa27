import * as z from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { HttpPorts } from '../ports.ts';
import { activitySince, ActivitySchema } from '../activity.ts';
import { ApiErrorSchema } from '../schemas.ts';

/**
 * GET /activity: what the community did (purchases, savings, benefits and why not, vends, parcels, doors) since a time.
 */
export const activityRoutes =
  (gw: Pick<HttpPorts, 'store' | 'writer'>, startedAt: number): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/activity', {
      config: { role: 'viewer' },
      schema: {
        tags: ['redemptions'],
        summary: 'Activity in figures since a time (default: since the gateway started)',
        querystring: z.object({ since: z.iso.datetime().optional() }),
        response: { 200: ActivitySchema, 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema },
      },
      handler: async (req) => {
        gw.writer.flush(); // read your writes: the last purchases may still wait for the group commit
        return activitySince(gw.store.reader, req.query.since ? Date.parse(req.query.since) : startedAt);
      },
    });
  };
