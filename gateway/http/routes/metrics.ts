import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.ts';

/**
 * GET /metrics for Prometheus, in its text format. Viewer role: Prometheus sends a staff token with
 * `authorization: { credentials_file: ... }` (bearer), and the figures say nothing a viewer could not see.
 * Hidden from the OpenAPI docs: it is for a scraper, not for people.
 */
export const metricsRoutes =
  (metrics: Pick<GatewayMetrics, 'scrape' | 'contentType'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/metrics', {
      config: { role: 'viewer' },
      schema: { hide: true },
      handler: async (_req, reply) => reply.type(metrics.contentType).send(await metrics.scrape()),
    });
  };
