import * as z from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LinliError } from '../../../firmware-protocol/src/errors.ts';
import { WireCredentialSchema } from '../../../firmware-protocol/src/messages/credential.ts';
import { RedemptionResultSchema } from '../../redemption/service/result.ts';
import { account } from '../../redemption/service/ports.ts';
import type { RedemptionModule } from '../../redemption/module.ts';
import type { DeskReader } from '../../flows/desk-reader.ts';
import { ApiErrorSchema, iso } from '../schemas.ts';

const errors = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
  409: ApiErrorSchema,
};
const State = z.enum(['declined', 'held', 'captured', 'voided', 'reversed']);
const RedemptionView = z.object({
  id: z.string(),
  txnId: z.string(),
  merchantId: z.string(),
  deviceId: z.string().nullable(),
  memberId: z.string(),
  state: State,
  createdAt: z.string(),
  result: RedemptionResultSchema,
  /** Set once reversed: by whom (a device's transaction or `staff:<token id>`) and the staff's note. */
  reversal: z.object({ by: z.string(), note: z.string().nullable() }).nullable(),
});

const MemberView = z.object({
  memberId: z.string(),
  tier: z.string(),
  walletFen: z.number().int(),
  points: z.number().int(),
  benefits: z.array(
    z.object({
      id: z.string(),
      campaignId: z.string(),
      name: z.object({ zh: z.string(), en: z.string() }),
      status: z.string(),
      usesLeft: z.number().int().optional(),
      expiresAt: z.string().optional(),
    }),
  ),
  history: z.array(RedemptionView),
});

/** Staff: redemptions with filters (viewer), reversal (operator), member lookup by card or code (viewer). */
export const redemptionRoutes =
  (m: RedemptionModule, desk?: Pick<DeskReader, 'takeForBinding'>): FastifyPluginAsyncZod =>
  async (app) => {
    const view = (r: NonNullable<ReturnType<RedemptionModule['redemptions']['get']>>) => ({
      id: r.id,
      txnId: r.txnId,
      merchantId: r.merchantId,
      deviceId: r.deviceId ?? null,
      memberId: r.memberId,
      state: r.state,
      createdAt: iso(r.createdAt) ?? '',
      result: r.result,
      reversal: r.state === 'reversed' && r.reversedBy ? { by: r.reversedBy, note: r.reversalNote ?? null } : null,
    });

    /** A shop's token sees its shop only: the filter is forced, never taken from the query. */
    const shopOf = (req: { staff?: { merchantId: string | null } | undefined }) => req.staff?.merchantId ?? undefined;

    app.get('/redemptions', {
      config: { role: 'viewer', merchantScoped: true },
      schema: {
        tags: ['redemptions'],
        summary: 'Redemptions, newest first',
        querystring: z.object({
          merchant: z.string().max(64).optional(),
          member: z.string().max(64).optional(),
          device: z.string().max(64).optional(),
          state: State.optional(),
          since: z.iso.datetime().optional(),
          until: z.iso.datetime().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ items: z.array(RedemptionView) }), ...errors },
      },
      handler: async (req) => {
        const q = req.query;
        const shop = shopOf(req);
        if (shop !== undefined && q.merchant !== undefined && q.merchant !== shop)
          throw new LinliError('FORBIDDEN', `this token sees shop ${shop} only`);
        const items = m.redemptions.list({
          merchantId: shop ?? q.merchant,
          memberId: q.member,
          deviceId: q.device,
          state: q.state,
          since: q.since ? Date.parse(q.since) : undefined,
          until: q.until ? Date.parse(q.until) : undefined,
          limit: q.limit,
        });
        return { items: items.map(view) };
      },
    });

    app.get('/redemptions/:id', {
      config: { role: 'viewer', merchantScoped: true },
      schema: {
        tags: ['redemptions'],
        summary: 'One redemption with its decision',
        params: z.object({ id: z.string().max(64) }),
        response: { 200: RedemptionView, ...errors },
      },
      handler: async (req) => {
        const r = m.redemptions.get(req.params.id);
        const shop = shopOf(req);
        // another shop's redemption does not exist for this token
        if (!r || (shop !== undefined && r.merchantId !== shop))
          throw new LinliError('REDEMPTION_NOT_FOUND', `no redemption ${req.params.id}`);
        return view(r);
      },
    });

    app.post('/redemptions/:id/reverse', {
      config: { role: 'operator', merchantScoped: true },
      schema: {
        tags: ['redemptions'],
        summary:
          'Reverse (refund) a captured redemption within the reversal window: ' +
          'wallet, points, uses and budgets are restored',
        params: z.object({ id: z.string().max(64) }),
        // the console asks for a note; older clients send no body
        body: z
          .object({ note: z.string().trim().min(1).max(500) })
          .strict()
          .nullish(),
        response: { 200: RedemptionResultSchema, ...errors },
      },
      handler: async (req) => {
        const shop = shopOf(req);
        if (shop !== undefined && m.redemptions.get(req.params.id)?.merchantId !== shop)
          throw new LinliError('REDEMPTION_NOT_FOUND', `no redemption ${req.params.id}`);
        // staff reverse once: a second reversal is refused (ALREADY_REVERSED), never answered "refunded" again
        // by staff member and redemption: that staff member's retry gets the answer again, anyone else a 409
        const result = await m.service.reverse(req.params.id, `staff:${req.staff?.id ?? 'unknown'}`, req.body?.note);
        req.log.info(
          { redemptionId: req.params.id, by: req.staff?.id, note: req.body?.note },
          'redemption reversed by staff',
        );
        return result;
      },
    });

    app.post('/members/:id/points', {
      config: { role: 'operator' },
      schema: {
        tags: ['members'],
        summary: 'Credit community-activity or property-fee points, once per transaction id',
        params: z.object({ id: z.string().max(64) }),
        body: z
          .object({
            points: z.number().int().min(1).max(100_000),
            txnId: z.string().min(1).max(64),
            reason: z.enum(['activity', 'property-fee']),
          })
          .strict(),
        response: { 200: z.object({ awarded: z.boolean(), points: z.number().int() }), ...errors },
      },
      handler: async (req) => m.service.awardPoints(req.params.id, req.body.points, req.body.txnId, req.body.reason),
    });

    const memberView = (memberId: string) => {
      const member = m.catalog.member(memberId);
      if (!member) throw new LinliError('MEMBER_NOT_FOUND');
      const campaigns = m.catalog.campaigns();
      return {
        memberId: member.id,
        tier: member.tier,
        walletFen: m.ledger.balance(account.wallet(member.id), 'fen'),
        points: m.ledger.balance(account.points(member.id), 'points'),
        benefits: m.catalog.instancesOf(member.id).map((i) => ({
          id: i.id,
          campaignId: i.campaignId,
          name: campaigns.get(i.campaignId)?.name ?? { zh: i.campaignId, en: i.campaignId },
          status: i.status,
          ...(i.usesLeft !== undefined ? { usesLeft: i.usesLeft } : {}),
          ...(i.expiresAt !== undefined ? { expiresAt: iso(i.expiresAt) ?? '' } : {}),
        })),
        history: m.redemptions.list({ memberId: member.id, limit: 20 }).map(view),
      };
    };

    app.post('/members/lookup', {
      config: { role: 'viewer' },
      schema: {
        tags: ['members'],
        summary:
          "A member's balance, points, benefits and recent redemptions, found by card or code (never by name or " +
          'phone), or { fromDesk: true } for the card just tapped on the office desk reader',
        body: z.union([
          z.object({ credential: WireCredentialSchema }).strict(),
          z.object({ fromDesk: z.literal(true) }).strict(),
        ]),
        response: { 200: MemberView, ...errors },
      },
      handler: async (req) => {
        let credential: z.infer<typeof WireCredentialSchema>;
        if ('fromDesk' in req.body) {
          const uid = desk?.takeForBinding();
          if (!uid)
            throw new LinliError(
              'NOT_FOUND',
              desk ? 'no card was tapped on the desk reader in the last minute' : 'this gateway has no desk reader',
            );
          credential = { type: 'uid', uid };
        } else credential = req.body.credential;
        const who = await m.resolver.identify(credential);
        return memberView(who.memberId);
      },
    });

    app.get('/members/:id', {
      config: { role: 'viewer' },
      schema: {
        tags: ['members'],
        summary: "A member's balance, points, benefits and recent redemptions, by member id",
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: MemberView, ...errors },
      },
      handler: async (req) => memberView(req.params.id),
    });
  };
