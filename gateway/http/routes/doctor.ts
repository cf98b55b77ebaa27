import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { type DoctorReport, DoctorReportSchema, ok } from '../../doctor/finding.ts';
import { type GatewayView, processContext } from '../../doctor/process-context.ts';
import { runDoctor } from '../../doctor/registry.ts';
import { ApiErrorSchema } from '../schemas.ts';

const errors = { 401: ApiErrorSchema, 403: ApiErrorSchema };

/**
 * GET /api/v1/doctor: `linli doctor`'s checks, run inside the running gateway, for the console's
 * diagnostics page. Viewers may read it: it names files and ports, never a secret.
 */
export const doctorRoutes =
  (gw: GatewayView & { readonly clock: { monotonic(): number } }): FastifyPluginAsyncZod =>
  async (app) => {
    // requests while a run is under way share it: a page refreshed in a loop never stacks up checks on the box
    let running: Promise<DoctorReport> | undefined;
    const run = () =>
      runDoctor(
        ok('config', 'the running gateway’s config was valid at its start; a changed file: linli doctor --config FILE'),
        processContext(gw),
        { now: () => gw.clock.now(), monotonic: () => gw.clock.monotonic() },
      ).finally(() => {
        running = undefined;
      });
    app.get('/doctor', {
      config: { role: 'viewer' },
      schema: {
        tags: ['system'],
        summary: 'Diagnostics of this box: each finding with its fix, problems first (as `linli doctor`)',
        response: { 200: DoctorReportSchema, ...errors },
      },
      handler: async () => {
        running ??= run();
        return running;
      },
    });
  };
