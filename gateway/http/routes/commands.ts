import * as z from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LinliError } from '../../../firmware-protocol/src/errors.ts';
import { CommandNameSchema } from '../../../firmware-protocol/src/messages/commands.ts';
import type { HttpPorts } from '../ports.ts';
import { ApiErrorSchema, DeviceIdParamsSchema } from '../schemas.ts';

/** Commands to devices (operator): sent on the device's command topic, answered when the device acks [FWP-9.1]. */
export const commandRoutes =
  (gw: Pick<HttpPorts, 'commands' | 'devices' | 'monitor'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/devices/:id/commands', {
      config: { role: 'operator' },
      schema: {
        tags: ['devices'],
        summary: 'Send a command and wait for the device to acknowledge it',
        params: DeviceIdParamsSchema,
        body: z.object({
          name: CommandNameSchema,
          args: z.record(z.string(), z.unknown()).default({}),
          timeoutMs: z.number().int().min(100).max(120_000).optional(),
        }),
        response: {
          200: z.object({
            commandId: z.string(),
            status: z.literal('done'),
            result: z.unknown(),
            latencyMs: z.number(),
          }),
          400: ApiErrorSchema,
          401: ApiErrorSchema,
          403: ApiErrorSchema,
          404: ApiErrorSchema,
          409: ApiErrorSchema,
          422: ApiErrorSchema,
          502: ApiErrorSchema,
          504: ApiErrorSchema,
        },
      },
      handler: async (req) => {
        const device = gw.devices.get(req.params.id);
        if (device.disabled) throw new LinliError('DEVICE_DISABLED');
        const live = gw.monitor.get(device.id);
        if (!live?.connected || !live.born) throw new LinliError('DEVICE_OFFLINE', `${device.id} is not connected`);
        req.log.info({ deviceId: device.id, command: req.body.name, by: req.staff?.id }, 'command sent');
        return gw.commands.send(device.id, device.kind, req.body);
      },
    });
  };
