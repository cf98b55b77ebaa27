import { readFileSync } from 'node:fs';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

const page = readFileSync(new URL('../dashboard/dashboard.html', import.meta.url), 'utf8');

/**
 * The staff dashboard: one static page that reads the same API with the staff member's token (kept in
 * the browser's localStorage, never in the page). Open because it holds no data itself.
 */
export const dashboardRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
      )
      .header('x-frame-options', 'DENY')
      .send(page),
  );
};
