import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as z from 'zod';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import { ApiErrorSchema, ROUTE_ERRORS } from '../../gateway/http/api-error.ts';
import type { KindPartPorts } from '../kind-part.ts';
import type { ChargingSessions } from './sessions.ts';

const errors = { ...ROUTE_ERRORS, 502: ApiErrorSchema };
const iso = (ms: number) => new Date(ms).toISOString();

const ChargeView = z.object({
  pileId: z.string(),
  socket: z.string(),
  session: z.string(),
  memberId: z.string(),
  heldUnits: z.number(),
  per: z.enum(['hour', 'kwh']),
  unitPriceFen: z.number(),
  startedAt: z.string(),
});

/**
 * Staff: the charges in progress on every pile, and a socket cut by hand (a resident reports smoke,
 * a charger left on a balcony): the pile ends that charge with `cut` and settles it by its meter.
 */
export const chargingRoutes =
  (sessions: ChargingSessions, p: Pick<KindPartPorts, 'command' | 'capabilitiesOf'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/charging/sessions', {
      config: { role: 'viewer' },
      schema: {
        tags: ['charging piles'],
        summary: 'E-bike charges in progress, oldest first',
        response: { 200: z.object({ items: z.array(ChargeView) }), ...errors },
      },
      handler: async () => ({
        items: sessions.active().map((s) => ({
          pileId: s.deviceId,
          socket: s.socket,
          session: s.txn,
          memberId: s.memberId,
          heldUnits: s.heldUnits,
          per: s.per,
          unitPriceFen: s.unitPriceFen,
          startedAt: iso(s.startedAt),
        })),
      }),
    });

    app.post('/charging/:pileId/sockets/:socket/cut', {
      config: { role: 'operator' },
      schema: {
        tags: ['charging piles'],
        summary: 'Cut the power of one socket now (cut_socket, reason staff)',
        params: z.object({ pileId: z.string().min(1).max(48), socket: z.string().min(1).max(4) }),
        response: { 200: z.object({ pileId: z.string(), socket: z.string(), status: z.literal('done') }), ...errors },
      },
      handler: async (req) => {
        const { pileId, socket } = req.params;
        const caps = p.capabilitiesOf(pileId) as { sockets?: { id: string }[] } | undefined;
        if (!caps?.sockets?.some((s) => s.id === socket))
          throw new LinliError('NOT_FOUND', `no socket ${socket} on a charging pile ${pileId}`);
        const status = await p.command(pileId, 'cut_socket', { socket, reason: 'staff' });
        if (status !== 'done')
          throw new LinliError(status === 'rejected' ? 'COMMAND_REJECTED' : 'COMMAND_FAILED', `the pile ${status} it`);
        return { pileId, socket, status };
      },
    });
  };
