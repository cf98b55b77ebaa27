import Fastify, { LogController } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { HttpPorts } from './ports.ts';
import { staffAuth } from './auth.ts';
import { errorHandler, logRequest, notFoundHandler } from './errors.ts';
import { commandRoutes } from './routes/commands.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { deviceRoutes } from './routes/devices.ts';
import { systemRoutes } from './routes/system.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { redemptionRoutes } from './routes/redemptions.ts';
import { alertRoutes } from './routes/alerts.ts';
import { cardRoutes } from './routes/cards.ts';
import { cloudRoutes } from './routes/cloud.ts';
import { activityRoutes } from './routes/activity.ts';
import { streamRoutes } from './routes/stream.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { reportRoutes } from './routes/reports.ts';
import { privacyRoutes } from './routes/privacy.ts';
import { maskForRole } from '../privacy/mask-answers.ts';
import { prepaidRoutes } from './routes/prepaid.ts';
import { doctorRoutes } from './routes/doctor.ts';
import type { Config } from '../config/schema.ts';

type HttpApp = Awaited<ReturnType<typeof buildHttpApp>>;

/** The gateway as served: its ports, and its whole config for the diagnostics (GET /api/v1/doctor). */
type ServedGateway = HttpPorts & { readonly config: Config };

export interface HttpServer {
  app: HttpApp;
  url: string;
  close(): Promise<void>;
}

/** The staff API with OpenAPI docs at /docs. Everything but /healthz and /docs needs a token. */
async function buildHttpApp(gw: ServedGateway) {
  // Fastify's own two lines per request would flood the log (an open dashboard polls): one line, from logRequest
  const app = Fastify({
    loggerInstance: gw.log.child({ component: 'http' }),
    bodyLimit: 64 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
    // a URL the router refuses (a path parameter over its length, a bad escape) answers in the catalogue's form too
    frameworkErrors: errorHandler,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onResponse', logRequest);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Linli gateway API', description: 'Staff API of a Linli community gateway', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.addHook('onRequest', staffAuth(gw.tokens));
  // names, phones and notes masked for a viewer's or a shop's token (README: Personal information)
  app.addHook('preSerialization', maskForRole);
  const started = gw.clock.monotonic();
  await app.register(systemRoutes(gw, started));
  await app.register(metricsRoutes(gw.metrics));
  await app.register(dashboardRoutes);
  await app.register(deviceRoutes(gw), { prefix: '/api/v1' });
  await app.register(commandRoutes(gw), { prefix: '/api/v1' });
  await app.register(tokenRoutes(gw), { prefix: '/api/v1' });
  await app.register(redemptionRoutes(gw.redemption, gw.desk), { prefix: '/api/v1' });
  await app.register(alertRoutes(gw), { prefix: '/api/v1' });
  await app.register(cardRoutes(gw.redemption, gw.clock, gw.desk), { prefix: '/api/v1' });
  await app.register(cloudRoutes(gw), { prefix: '/api/v1' });
  await app.register(activityRoutes(gw, gw.clock.now()), { prefix: '/api/v1' });
  await app.register(streamRoutes(gw), { prefix: '/api/v1' });
  await app.register(reportRoutes({ reader: gw.store.reader, clock: gw.clock }), { prefix: '/api/v1' });
  await app.register(privacyRoutes(gw), { prefix: '/api/v1' });
  await app.register(prepaidRoutes(gw.prepaid), { prefix: '/api/v1' });
  await app.register(doctorRoutes(gw), { prefix: '/api/v1' });
  for (const routes of gw.kindRoutes) await app.register(routes, { prefix: '/api/v1' });
  return app;
}

export async function startHttpServer(gw: ServedGateway): Promise<HttpServer> {
  const app = await buildHttpApp(gw);
  await app.listen({ host: gw.config.http.host, port: gw.config.http.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : gw.config.http.port;
  const host = gw.config.http.host === '0.0.0.0' ? '127.0.0.1' : gw.config.http.host;
  return { app, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, close: () => app.close() };
}
