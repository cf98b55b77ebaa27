import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { HttpPorts } from '../ports.ts';
import { GatewayHealthSchema } from '../schemas.ts';

/** /healthz: liveness and readiness for systemd, load balancers and monitoring. Open, and cheap. */
export const systemRoutes =
  (
    gw: Pick<
      HttpPorts,
      | 'bootId'
      | 'broker'
      | 'clock'
      | 'clockHealth'
      | 'cloud'
      | 'desk'
      | 'docs'
      | 'hotlistStale'
      | 'monitor'
      | 'ready'
      | 'store'
      | 'eventsEmitted'
      | 'loopLag'
    >,
    startedMono: number,
  ): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/healthz', {
      config: { public: true },
      schema: {
        tags: ['system'],
        summary: 'Gateway liveness and readiness (no token needed)',
        response: { 200: GatewayHealthSchema, 503: GatewayHealthSchema },
      },
      handler: async (_req, reply) => {
        let database: 'ok' | 'error' = 'ok';
        try {
          gw.store.reader.prepare('SELECT 1').get();
        } catch {
          database = 'error';
        }
        const devices: Record<string, number> = { ok: 0, degraded: 0, fault: 0, offline: 0, unknown: 0 };
        for (const d of gw.monitor.all()) devices[d.verdict.status] = (devices[d.verdict.status] ?? 0) + 1;
        const stats = gw.broker.stats();
        const ready = gw.ready && database === 'ok';
        const body = {
          status: gw.ready ? ('ok' as const) : ('stopping' as const),
          ready,
          bootId: gw.bootId,
          uptimeS: Math.round((gw.clock.monotonic() - startedMono) / 1000),
          broker: { connections: stats.connections, devicesConnected: stats.devicesConnected },
          database,
          devices,
          events: gw.eventsEmitted(),
          eventLoop: gw.loopLag.figures(),
          memory: (() => {
            const m = process.memoryUsage();
            const mb = (b: number) => Math.round(b / 104857.6) / 10;
            return {
              rssMb: mb(m.rss),
              heapUsedMb: mb(m.heapUsed),
              heapTotalMb: mb(m.heapTotal),
              externalMb: mb(m.external),
            };
          })(),
          hardware: gw.desk.health(),
          clock: gw.clockHealth.status(),
          cloud: (() => {
            const c = gw.cloud?.status();
            const at = gw.docs?.issuedAt('hotlist');
            const hotlist = {
              version: gw.docs?.version('hotlist') ?? 0,
              ageS: at === undefined ? null : Math.round((gw.clock.now() - at) / 1000),
              stale: c ? gw.hotlistStale() : false,
            };
            return c
              ? {
                  enabled: true,
                  connected: c.connected,
                  session: c.session,
                  backlogEvents: c.backlog.reduce((n, b) => n + b.events, 0),
                  overBudget: c.overBudget,
                  hotlist,
                }
              : { enabled: false, connected: false, session: 0, backlogEvents: 0, overBudget: false, hotlist };
          })(),
        };
        return reply.code(ready ? 200 : 503).send(body);
      },
    });
  };
