import * as z from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LinliError } from '../../../firmware-protocol/src/errors.ts';
import type { DeviceMonitor } from '../../health/device-monitor.ts';
import { RecordIdSchema, ROUTE_ERRORS } from '../schemas.ts';

const errors = ROUTE_ERRORS;
const Id = RecordIdSchema;

/** Staff: acknowledge an alert they have dealt with (a forced or jammed door, a vend after void). */
export const alertRoutes =
  (monitor: Pick<DeviceMonitor, 'setFinding'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/devices/:id/alerts/:code/acknowledge', {
      config: { role: 'operator' },
      schema: {
        tags: ['access'],
        summary:
          'Acknowledge an alert staff have dealt with: a forced or jammed door (door = the door id), a vend after void',
        params: z.object({ id: Id, code: z.enum(['DOOR_FORCED', 'DOOR_JAMMED', 'VEND_AFTER_VOID']) }),
        querystring: z.object({ door: z.string().min(1).max(16).optional() }),
        response: { 200: z.object({ ok: z.literal(true) }), ...errors },
      },
      handler: async (req) => {
        if (req.params.code === 'VEND_AFTER_VOID') monitor.setFinding(req.params.id, 'VEND_AFTER_VOID', undefined);
        else {
          if (!req.query.door) throw new LinliError('VALIDATION_FAILED', 'say which door: ?door=main');
          monitor.setFinding(req.params.id, `${req.params.code}:${req.query.door}`, undefined);
        }
        return { ok: true as const };
      },
    });
  };
