import * as z from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DeviceKindSchema } from '../../../firmware-protocol/src/kinds/device-kind.ts';
import { ProvisionRequestSchema } from '../../registry/device-service.ts';
import type { HttpPorts } from '../ports.ts';
import { caFingerprint } from '../../security/local-ca.ts';
import { deviceDetail, deviceSummary } from '../device-views.ts';
import {
  ApiErrorSchema,
  DeviceDetailSchema,
  DeviceIdParamsSchema,
  DeviceSummarySchema,
  HealthHistorySchema,
  HealthStatusSchema,
  iso,
  ProvisionResponseSchema,
} from '../schemas.ts';

const errors = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
  409: ApiErrorSchema,
};

/** Devices: list and detail with health (viewer); provisioning, rotation, disabling, deletion (admin). */
/** The fingerprint of the local CA a new device pins [FWP-1.4], for the console's setup QR code [FWP-1.3]. */
function caOf(gw: Pick<HttpPorts, 'tls'>): { caSha256?: string } {
  const ca = gw.tls?.current?.ca;
  return ca ? { caSha256: caFingerprint(ca) } : {};
}

export const deviceRoutes =
  (
    gw: Pick<HttpPorts, 'devices' | 'monitor' | 'store' | 'writer' | 'telemetry' | 'clock' | 'tls'>,
  ): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/devices', {
      config: { role: 'viewer' },
      schema: {
        tags: ['devices'],
        summary: 'All provisioned devices with their health',
        querystring: z.object({ kind: DeviceKindSchema.optional(), status: HealthStatusSchema.optional() }),
        response: { 200: z.object({ items: z.array(DeviceSummarySchema) }), ...errors },
      },
      handler: async (req) => {
        const items = gw.devices
          .list()
          .map((d) => deviceSummary(d, gw.monitor.get(d.id)))
          .filter(
            (d) =>
              (!req.query.kind || d.kind === req.query.kind) && (!req.query.status || d.status === req.query.status),
          );
        return { items };
      },
    });

    app.get('/devices/:id', {
      config: { role: 'viewer' },
      schema: {
        tags: ['devices'],
        summary: 'One device: capabilities, telemetry, session, health',
        params: DeviceIdParamsSchema,
        response: { 200: DeviceDetailSchema, ...errors },
      },
      handler: async (req) => {
        gw.writer.flush();
        return deviceDetail(gw.devices.get(req.params.id), gw.monitor.get(req.params.id));
      },
    });

    app.get('/devices/:id/health-history', {
      config: { role: 'viewer' },
      schema: {
        tags: ['devices'],
        summary: 'Recent health changes, newest first',
        params: DeviceIdParamsSchema,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
        response: { 200: HealthHistorySchema, ...errors },
      },
      handler: async (req) => {
        gw.devices.get(req.params.id);
        gw.writer.flush(); // read your writes: health changes still queued for the next group commit
        const items = gw.store.health.history(req.params.id, req.query.limit).map((h) => ({
          at: iso(h.at) ?? '',
          status: h.status,
          reasons: h.reasons,
          event: h.event,
        }));
        return { items };
      },
    });

    app.get('/devices/:id/telemetry-history', {
      config: { role: 'viewer' },
      schema: {
        tags: ['devices'],
        summary: "The device's temperature and signal over the last hours (sampled), oldest first",
        params: DeviceIdParamsSchema,
        querystring: z.object({
          hours: z.coerce
            .number()
            .int()
            .min(1)
            .max(24 * 90)
            .default(24),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({ at: z.string(), temperatureC: z.number().nullable(), rssiDbm: z.number().nullable() }),
            ),
          }),
          ...errors,
        },
      },
      handler: async (req) => {
        gw.devices.get(req.params.id);
        gw.writer.flush(); // read your writes: the latest sample may wait for the next group commit
        const since = gw.clock.now() - req.query.hours * 3_600_000;
        return {
          items: gw.telemetry
            .history(req.params.id, since)
            .map((s) => ({ at: iso(s.at) ?? '', temperatureC: s.temperatureC, rssiDbm: s.rssiDbm })),
        };
      },
    });

    app.post('/devices', {
      config: { role: 'admin' },
      schema: {
        tags: ['devices'],
        summary: 'Provision a device; the secret is shown once',
        body: ProvisionRequestSchema,
        response: { 201: ProvisionResponseSchema, ...errors },
      },
      handler: async (req, reply) => {
        const { device, secret } = await gw.devices.provision(req.body);
        req.log.info({ deviceId: device.id, by: req.staff?.id }, 'provisioned over the API');
        return reply.code(201).send({ id: device.id, kind: device.kind, secret, ...caOf(gw) });
      },
    });

    app.post('/devices/:id/rotate-secret', {
      config: { role: 'admin' },
      schema: {
        tags: ['devices'],
        summary: 'Issue a new secret; the old one stops working and the device is disconnected at once',
        params: DeviceIdParamsSchema,
        response: { 200: ProvisionResponseSchema, ...errors },
      },
      handler: async (req) => {
        const { device, secret } = await gw.devices.rotateSecret(req.params.id);
        return { id: device.id, kind: device.kind, secret, ...caOf(gw) };
      },
    });

    for (const [action, disabled] of [
      ['disable', true],
      ['enable', false],
    ] as const) {
      app.post(`/devices/:id/${action}`, {
        config: { role: 'admin' },
        schema: {
          tags: ['devices'],
          summary: disabled
            ? 'Disable a device: it is disconnected at once and cannot reconnect'
            : 'Enable a disabled device',
          params: DeviceIdParamsSchema,
          response: { 200: DeviceSummarySchema, ...errors },
        },
        handler: async (req) => {
          const d = await gw.devices.setDisabled(req.params.id, disabled);
          return deviceSummary(d, gw.monitor.get(d.id));
        },
      });
    }

    app.delete('/devices/:id', {
      config: { role: 'admin' },
      schema: {
        tags: ['devices'],
        summary:
          'Delete a device: disconnected at once, its record, health and retained state removed; ' +
          'its redemptions and parcels stay as history',
        params: DeviceIdParamsSchema,
        response: { 200: z.object({ id: z.string(), kind: DeviceKindSchema, deleted: z.literal(true) }), ...errors },
      },
      handler: async (req) => {
        // queued health writes of this device go first: afterwards its rows are gone for good
        gw.writer.flush();
        // the gateway's registry hook kicks it, forgets it and clears its retained topics
        const d = await gw.devices.remove(req.params.id);
        req.log.info({ deviceId: d.id, by: req.staff?.id }, 'device deleted over the API');
        return { id: d.id, kind: d.kind, deleted: true as const };
      },
    });
  };
