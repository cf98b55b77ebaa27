import * as z from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LinliError } from '../../../firmware-protocol/src/errors.ts';
import { ErasureRefusedError } from '../../privacy/member-erasure.ts';
import { MemberExportSchema, UnknownMemberError } from '../../privacy/member-export.ts';
import type { Privacy } from '../../privacy/privacy-module.ts';
import { RecordIdSchema, ROUTE_ERRORS } from '../schemas.ts';

const Params = z.object({ id: RecordIdSchema });

/** Who did it, as the erasure record and the log keep it: the token's label and id. */
const staffName = (staff: { id: string; label: string | null } | undefined) =>
  staff ? (staff.label ? `${staff.label} (${staff.id})` : staff.id) : 'unknown';

const asApiError = (err: unknown): unknown => {
  if (err instanceof UnknownMemberError) return new LinliError('MEMBER_NOT_FOUND', err.message);
  if (err instanceof ErasureRefusedError) return new LinliError('CONFLICT', err.message);
  return err;
};

/** Admin only (the default role): a member's data on request, exported or erased (PIPL art. 45, 47). */
export const privacyRoutes =
  (gw: { privacy: Privacy }): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/members/:id/export', {
      config: { role: 'admin' },
      schema: {
        tags: ['privacy'],
        summary: 'Everything the gateway holds about a member, as JSON (no card secrets); logged with who asked',
        params: Params,
        response: { 200: MemberExportSchema, ...ROUTE_ERRORS },
      },
      handler: async (req) => {
        try {
          return gw.privacy.exportMember(req.params.id, staffName(req.staff));
        } catch (err) {
          throw asApiError(err);
        }
      },
    });

    app.post('/members/:id/erase', {
      config: { role: 'admin' },
      schema: {
        tags: ['privacy'],
        summary:
          'Erase a member on request: cards, rules, codes, parcels and orders deleted, money records kept under ' +
          'a pseudonym, the cloud told; refused (409) while stored value, a hold or a parcel is still theirs',
        params: Params,
        body: z.object({ confirm: z.string().describe('the member id again: nothing is erased without it') }).strict(),
        response: {
          200: z.object({ pseudonym: z.string(), at: z.iso.datetime(), removed: z.record(z.string(), z.number()) }),
          ...ROUTE_ERRORS,
        },
      },
      handler: async (req) => {
        if (req.body.confirm !== req.params.id)
          throw new LinliError('VALIDATION_FAILED', 'confirm must repeat the member id: an erasure cannot be undone');
        try {
          const r = await gw.privacy.eraseMember(req.params.id, staffName(req.staff));
          return { pseudonym: r.pseudonym, at: new Date(r.at).toISOString(), removed: r.removed };
        } catch (err) {
          throw asApiError(err);
        }
      },
    });
  };
