import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffAuth } from '../../gateway/http/auth.ts';
import { errorHandler } from '../../gateway/http/errors.ts';
import { metricsRoutes } from '../../gateway/http/routes/metrics.ts';
import { GatewayMetrics } from '../../gateway/metrics/gateway-metrics.ts';
import type { StaffTokens } from '../../gateway/security/staff-tokens.ts';
import type { StaffRole, StaffTokenRecord } from '../../gateway/store/token-repo.ts';
import { fakeSources } from './fake-sources.ts';

const token = (c: string) => `llt_${c.repeat(43)}`;
const record = (role: StaffRole, merchantId: string | null = null): StaffTokenRecord => ({
  id: `t-${role}`,
  role,
  label: null,
  merchantId,
  createdAt: 0,
  lastUsedAt: null,
  revokedAt: null,
});
/** The staff tokens the hook asks: a viewer's, an admin's and a shop's. */
const TOKENS = new Map([
  [token('v'), record('viewer')],
  [token('a'), record('admin')],
  [token('s'), record('operator', 'shop-1')],
]);
const tokens = { authenticate: (t: string) => TOKENS.get(t) } as unknown as StaffTokens;

describe('GET /metrics', () => {
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  const metrics = new GatewayMetrics(fakeSources().sources, { defaultMetrics: false });

  beforeAll(async () => {
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler(errorHandler);
    app.addHook('onRequest', staffAuth(tokens));
    await app.register(metricsRoutes(metrics));
    await app.ready();
  });
  afterAll(() => app.close());

  const get = (auth?: string) =>
    app.inject({ method: 'GET', url: '/metrics', headers: auth ? { authorization: `Bearer ${auth}` } : {} });

  it('refuses a scrape without a token or with an unknown one', async () => {
    for (const res of [await get(), await get(token('x'))]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses a shop token: it may only read its own redemptions', async () => {
    expect((await get(token('s'))).statusCode).toBe(403);
  });

  it('answers a viewer (or higher) in the Prometheus text format', async () => {
    for (const t of [token('v'), token('a')]) {
      const res = await get(t);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(metrics.contentType);
      expect(res.body).toContain('# TYPE linli_devices gauge');
      expect(res.body).toContain('linli_mqtt_connections 5');
    }
  });
});
