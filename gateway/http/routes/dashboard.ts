import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LinliError } from '../../../firmware-protocol/src/errors.ts';

/**
 * Built by scripts/build-console.mjs (npm run build), beside this module in the sources and in dist/. A
 * file, not the folder, is named: the build rewrites the path for dist/ and would drop a folder's slash.
 */
const ASSETS = dirname(fileURLToPath(new URL('../console-assets/index.html', import.meta.url)));

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer | undefined;
  etag: string;
  /** Chunks are named by their content: cached for good. The page and its entry files are checked each time. */
  immutable: boolean;
}

/** Every file of the console, read once at start: a few hundred KB, served from memory. */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(ASSETS)) return assets;
  for (const name of readdirSync(ASSETS)) {
    const ext = name.slice(name.lastIndexOf('.') + 1);
    const type = TYPES[ext];
    if (!type) continue;
    const body = readFileSync(join(ASSETS, name));
    const gz = join(ASSETS, `${name}.gz`);
    assets.set(name, {
      type,
      body,
      gzip: existsSync(gz) ? readFileSync(gz) : undefined,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      immutable: name.startsWith('chunk-'),
    });
  }
  return assets;
}

/**
 * Nothing on the page comes from anywhere but the gateway (a community office may have no internet);
 * ECharts sets inline styles in its tooltips, hence style-src 'unsafe-inline', never for scripts.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The staff console: a static page and its scripts that read the same API with the staff member's token
 * (kept in the browser's localStorage, never in a URL). Open, because none of it holds data.
 */
export const dashboardRoutes: FastifyPluginAsyncZod = async (app) => {
  const assets = loadAssets();
  const send =
    (name: string) =>
    async (
      req: { headers: Record<string, string | string[] | undefined> },
      reply: {
        code(n: number): unknown;
        header(k: string, v: string): unknown;
        send(b: Buffer | string): unknown;
      },
    ) => {
      const a = assets.get(name);
      if (!a) {
        if (name !== 'index.html') throw new LinliError('NOT_FOUND', `no console file ${name}`);
        reply.code(503);
        reply.header('content-type', 'text/plain; charset=utf-8');
        return reply.send('The console is not built: run `npm run build`.');
      }
      reply.header('content-type', a.type);
      reply.header('etag', a.etag);
      reply.header('cache-control', a.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      reply.header('x-content-type-options', 'nosniff');
      reply.header('vary', 'accept-encoding');
      if (a.type.startsWith('text/html')) {
        reply.header('content-security-policy', CSP);
        reply.header('x-frame-options', 'DENY');
        reply.header('referrer-policy', 'no-referrer');
      }
      if (req.headers['if-none-match'] === a.etag) {
        reply.code(304);
        return reply.send('');
      }
      const accepts = String(req.headers['accept-encoding'] ?? '');
      if (a.gzip && /\bgzip\b/.test(accepts)) {
        reply.header('content-encoding', 'gzip');
        return reply.send(a.gzip);
      }
      return reply.send(a.body);
    };
  app.get('/', { config: { public: true }, schema: { hide: true } }, send('index.html'));
  app.get(
    '/console/:file',
    {
      config: { public: true },
      schema: {
        hide: true,
        params: z.object({
          file: z
            .string()
            .regex(/^[A-Za-z0-9._-]+$/)
            .max(80),
        }),
      },
    },
    async (req, reply) => send(req.params.file)(req, reply),
  );
};
