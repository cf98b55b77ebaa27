import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LinliError } from '../../../firmware-protocol/src/errors.ts';
import type { Clock } from '../../core/clock.ts';
import type { EventBus } from '../../core/event-bus.ts';
import type { GatewayEvents } from '../../gateway-events.ts';
import { maskAnswer, seesPersonalData } from '../../privacy/mask-answers.ts';
import type { RedemptionModule } from '../../redemption/module.ts';

/** Open console pages at once: each holds a socket and listeners; a Pi has no room for hundreds. */
const MAX_STREAMS = 64;
/** Proxies and phones drop a silent connection; a comment line every so often keeps it open. */
const HEARTBEAT_MS = 15_000;
/** A page that stopped reading (a phone asleep) is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

type Events = Pick<EventBus<GatewayEvents>, 'on'>;

/**
 * One server-sent-events stream per open console page: device health changes, alerts and settled
 * redemptions as they happen, so no page polls. A shop's token hears only its own shop's redemptions;
 * a viewer's or a shop's token gets names and phones masked, as in the API's answers.
 * The page reconnects by itself (`retry`) and reloads what it shows when it does.
 */
export const streamRoutes =
  (gw: {
    events: Events;
    clock: Pick<Clock, 'now' | 'every'>;
    bootId: string;
    redemption: Pick<RedemptionModule, 'redemptions'>;
  }): FastifyPluginAsyncZod =>
  async (app) => {
    const open = new Set<ServerResponse>();
    // SSE sockets never go idle: without this, closing the server would wait for every open page
    app.addHook('preClose', async () => {
      for (const res of open) res.end();
    });

    app.get('/stream', {
      config: { role: 'viewer', merchantScoped: true },
      schema: {
        tags: ['console'],
        summary: 'Live events for the console (text/event-stream): health, alert, redemption',
      },
      handler: async (req, reply) => {
        if (open.size >= MAX_STREAMS)
          throw new LinliError('RATE_LIMITED', `at most ${MAX_STREAMS} console pages may follow the gateway at once`);
        const shop = req.staff?.merchantId ?? null;
        // as the API's answers: a screen's or a shop's token sees staff notes with names and phones masked
        const masked = !seesPersonalData(req.staff);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          'x-accel-buffering': 'no',
          connection: 'keep-alive',
        });
        open.add(res);
        let seq = 0;
        const send = (event: string, data: unknown) => {
          if (res.writableEnded) return;
          if (res.writableLength > MAX_BUFFERED_BYTES) {
            req.log.warn('a console page stopped reading its stream: closed');
            res.end();
            return;
          }
          seq += 1;
          res.write(`id: ${seq}\nevent: ${event}\ndata: ${JSON.stringify(masked ? maskAnswer(data) : data)}\n\n`);
        };
        res.write('retry: 3000\n\n');
        send('hello', { bootId: gw.bootId, at: gw.clock.now(), shop });

        const stops: (() => void)[] = [];
        if (shop === null) {
          stops.push(
            gw.events.on('device.health', (c) =>
              send('health', {
                deviceId: c.deviceId,
                kind: c.kind,
                status: c.verdict.status,
                previous: c.previous.status,
                reasons: c.verdict.reasons,
                event: c.event,
                at: c.at,
              }),
            ),
            gw.events.on('alert.changed', (n) => send('alert', n)),
          );
        }
        stops.push(
          gw.events.on('redemption.settled', (e) => {
            const merchantId = gw.redemption.redemptions.get(e.redemptionId)?.merchantId ?? null;
            if (shop !== null && merchantId !== shop) return;
            send('redemption', { ...e, merchantId, at: gw.clock.now() });
          }),
        );
        stops.push(gw.clock.every(HEARTBEAT_MS, () => res.writableEnded || res.write(': ping\n\n')));
        res.on('close', () => {
          for (const stop of stops) stop();
          open.delete(res);
        });
      },
    });
  };
