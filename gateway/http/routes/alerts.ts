import * as z from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LinliError } from '../../../firmware-protocol/src/errors.ts';
import type { AlertService } from '../../alerts/alert-service.ts';
import { AlertSchema, AlertSeveritySchema } from '../../alerts/alert-types.ts';
import type { DeviceMonitor } from '../../health/device-monitor.ts';
import { RecordIdSchema, ROUTE_ERRORS } from '../schemas.ts';

const errors = ROUTE_ERRORS;
const Id = RecordIdSchema;
const AlertIdParams = z.object({ id: z.coerce.number().int().positive() });
const Note = z.string().trim().max(500);

/** Who did it, as the history shows it: the token's label when it has one. */
const staffName = (staff: { id: string; label: string | null } | undefined) =>
  staff ? (staff.label ? `${staff.label} (${staff.id})` : staff.id) : 'unknown';

/** Staff: the open alerts and their history (viewer); acknowledge and clear (operator). */
export const alertRoutes =
  (deps: { monitor: Pick<DeviceMonitor, 'setFinding'>; alerts: AlertService }): FastifyPluginAsyncZod =>
  async (app) => {
    const { monitor, alerts } = deps;
    app.get('/alerts', {
      config: { role: 'viewer' },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts: open (not acknowledged), acknowledged, cleared or all, newest first',
        querystring: z.object({
          state: z.enum(['open', 'acknowledged', 'cleared', 'all', 'active']).default('active'),
          device: Id.optional(),
          severity: AlertSeveritySchema.optional(),
          since: z.iso.datetime().optional(),
          until: z.iso.datetime().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: { 200: z.object({ alerts: z.array(AlertSchema) }), ...errors },
      },
      handler: async (req) => {
        const q = req.query;
        // "active": everything not cleared, from memory, in the order staff should look at it
        if (q.state === 'active') {
          const all = alerts
            .openAlerts()
            .filter((a) => (!q.device || a.deviceId === q.device) && (!q.severity || a.severity === q.severity));
          return { alerts: all.slice(0, q.limit) };
        }
        const since = q.since ? Date.parse(q.since) : undefined;
        const until = q.until ? Date.parse(q.until) : undefined;
        if (since !== undefined && until !== undefined && since >= until)
          throw new LinliError('VALIDATION_FAILED', 'since must be before until');
        return {
          alerts: alerts.list({
            state: q.state,
            deviceId: q.device,
            severity: q.severity,
            since,
            until,
            limit: q.limit,
          }),
        };
      },
    });

    app.post('/alerts/:id/acknowledge', {
      config: { role: 'operator' },
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge an alert: it stops nagging and stays open until its condition ends',
        params: AlertIdParams,
        body: z.object({ note: Note.default('') }).default({ note: '' }),
        response: { 200: AlertSchema, ...errors },
      },
      handler: async (req) => {
        const a = alerts.acknowledge(req.params.id, staffName(req.staff), req.body.note);
        req.log.info({ alertId: a.id, code: a.code, by: req.staff?.id }, 'alert acknowledged');
        return a;
      },
    });

    app.post('/alerts/:id/clear', {
      config: { role: 'operator' },
      schema: {
        tags: ['alerts'],
        summary: 'Clear an alert whose condition has ended (an event alert, such as a socket that over-heated)',
        params: AlertIdParams,
        response: { 200: AlertSchema, ...errors },
      },
      handler: async (req) => {
        const a = alerts.clear(req.params.id, staffName(req.staff));
        req.log.info({ alertId: a.id, code: a.code, by: req.staff?.id }, 'alert cleared');
        return a;
      },
    });

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
