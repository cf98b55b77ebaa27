import { createHash, randomBytes } from 'node:crypto';
import { LinliError } from '../../../firmware-protocol/src/errors.ts';
import { chooseFunding, type Funding } from '../domain/funding.ts';
import { localTime, type LocalTime } from '../domain/local-time.ts';
import type { BenefitInstance, Campaign, Member } from '../domain/model.ts';
import { selectBenefits, type Selection } from '../domain/select.ts';
import { periodKey } from '../domain/usage-facts.ts';
import { counterKey, gatherProxies, gatherUsage } from './facts.ts';
import { account, type LedgerMovement, type LedgerReason } from './ports.ts';
import type { RedemptionResult } from './result.ts';
import { redemptionEvent } from './redemption-event.ts';
import type { RedeemRequest, RedemptionDeps } from './service-types.ts';

/** The wallet allowance on this gateway is short by `shortfallFen`: ask the cloud, then decide again. */
export class ShortfallError extends Error {
  constructor(readonly shortfallFen: number) {
    super(`the allowance is short by ${shortfallFen} fen`);
    this.name = 'ShortfallError';
  }
}

/** Everything the steps of one decision share; each step fills in what the next ones need. */
interface Decision {
  req: RedeemRequest;
  phase: 'hold' | 'capture';
  id: string;
  fingerprint: string;
  now: number;
  t: LocalTime;
  member?: Member;
  campaigns?: ReadonlyMap<string, Campaign>;
  instances?: BenefitInstance[];
  sel?: Selection;
  funding?: Funding | undefined;
  /** The approval as stored by hold-or-charge: what post-ledger answers, without reading it back. */
  result?: RedemptionResult;
  moves: LedgerMovement[];
}

/** One named step; returning a result ends the pipeline with it (a retry's answer, or a decline). */
interface DecideStep {
  name: string;
  run(x: Decision, d: RedemptionDeps, grantBundles: GrantBundles): RedemptionResult | undefined;
}

export type Mover = (acct: string, asset: LedgerMovement['asset'], delta: number, reason: LedgerReason) => void;

const need = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new Error(`pipeline step ran before ${what} was known`);
  return v;
};

/**
 * The redemption pipeline inside the writer, as named steps (the card's cryptography is verified
 * before, where it is read): idempotency → admit-credential (hotlist, tap counter) → member →
 * select-benefits → check-limits → fund → hold-or-charge → post-ledger. Each step is logged at debug level
 * with its duration.
 */
export const DECIDE_PIPELINE: readonly DecideStep[] = [
  {
    name: 'idempotency',
    run(x, d) {
      const existing = d.redemptions.byTxn(x.req.purchase.deviceId, x.req.txnId);
      if (!existing) return undefined;
      if (existing.fingerprint !== x.fingerprint)
        throw new LinliError('TXN_REUSED', `transaction ${x.req.txnId} was used for a different request`);
      return existing.result; // [FWP-4.3] a retry gets the same answer, and nothing is charged again
    },
  },
  {
    // after the idempotency check: a retry is answered before a tap counter could call it a replay
    name: 'admit-credential',
    run(x) {
      x.req.admit?.();
      return undefined;
    },
  },
  {
    name: 'member',
    run(x, d) {
      x.member = d.catalog.member(x.req.memberId);
      if (!x.member) throw new LinliError('MEMBER_NOT_FOUND', `no member ${x.req.memberId}`);
      x.campaigns = d.catalog.campaigns();
      x.instances = d.catalog.instancesOf(x.member.id);
      return undefined;
    },
  },
  {
    name: 'select-benefits',
    run(x, d) {
      const member = need(x.member, 'the member');
      const campaigns = need(x.campaigns, 'the campaigns');
      const all = need(x.instances, 'the instances');
      // a presented coupon: it alone of the member's issued benefits may apply (always-on ones still do)
      const coupon = x.req.couponInstanceId;
      const instances = coupon === undefined ? all : all.filter((i) => i.id === coupon);
      const c = d.config;
      x.sel = selectBenefits({
        member,
        purchase: x.req.purchase,
        campaigns,
        instances,
        usage: gatherUsage(member, campaigns, instances, x.t, d.usage, d.ledger),
        now: x.now,
        timezone: c.timezone,
        maxBenefitsPerPurchase: c.maxBenefitsPerPurchase,
        accrual: c.accrual,
        // the presented coupon is applied whenever it saves anything, even where another set would save as much
        required: coupon === undefined ? undefined : `i:${coupon}`,
      });
      return undefined;
    },
  },
  {
    name: 'check-limits',
    run(x, d) {
      const sel = need(x.sel, 'the selection');
      if (sel.subtotalFen === 0) return decline(x, d, 'NOTHING_TO_PAY_FOR');
      const coupon = x.req.couponInstanceId;
      if (coupon !== undefined && !sel.applied.some((a) => a.instanceId === coupon)) {
        // the presented coupon's own reason first: it is what the cashier reads out
        const campaignId = x.instances?.find((i) => i.id === coupon)?.campaignId;
        x.sel = {
          ...sel,
          notApplied: [
            ...sel.notApplied.filter((n) => n.campaignId === campaignId),
            ...sel.notApplied.filter((n) => n.campaignId !== campaignId),
          ],
        };
        return decline(x, d, 'COUPON_NOT_APPLICABLE');
      }
      if (x.req.trust === 'low' && sel.payableFen > 0 && d.config.strictLowTrust?.())
        return decline(x, d, 'LOW_TRUST_LIMIT');
      if (x.req.trust === 'low' && sel.payableFen > 0) {
        const today = d.usage.get(counterKey.lowTrustDay(x.req.memberId, x.t)).amountFen;
        if (sel.payableFen > d.config.lowTrust.perTxnFen || today + sel.payableFen > d.config.lowTrust.perDayFen)
          return decline(x, d, 'LOW_TRUST_LIMIT');
      }
      return undefined;
    },
  },
  {
    name: 'fund',
    run(x, d) {
      const sel = need(x.sel, 'the selection');
      const id = x.req.memberId;
      // with a coupon code the rest of the bill is paid at the till: the wallet is never touched
      const own = d.ledger.balance(account.wallet(id), 'fen');
      x.funding =
        sel.payableFen === 0 || x.req.couponInstanceId !== undefined
          ? undefined
          : chooseFunding(id, sel.payableFen, own, gatherProxies(id, x.t, d.catalog, d.usage, d.ledger));
      // online, the cloud may top up the allowance first: nothing is stored, the caller asks and decides again
      if (x.funding && !x.funding.ok && x.req.askForTopUp) throw new ShortfallError(sel.payableFen - own);
      return x.funding && !x.funding.ok ? decline(x, d, 'INSUFFICIENT_FUNDS') : undefined;
    },
  },
  {
    name: 'hold-or-charge',
    run(x, d, grantBundles) {
      const sel = need(x.sel, 'the selection');
      const member = need(x.member, 'the member');
      const campaigns = need(x.campaigns, 'the campaigns');
      const { id, phase, now, t } = x;
      const payer = x.funding?.ok ? x.funding.walletOwnerId : undefined;
      const state = phase === 'hold' ? 'held' : 'captured';
      const holdExpiresAt = phase === 'hold' ? now + (x.req.holdMs ?? d.config.holdTimeoutMs) : undefined;
      const result = toResult(
        id,
        x.req.txnId,
        'approved',
        state,
        sel,
        x.funding?.ok ? x.funding.source : 'none',
        holdExpiresAt,
      );
      d.redemptions.insert({
        id,
        txnId: x.req.txnId,
        fingerprint: x.fingerprint,
        memberId: member.id,
        now,
        merchantId: x.req.purchase.merchantId,
        deviceId: x.req.purchase.deviceId,
        payerId: payer,
        state,
        holdExpiresAt,
        result,
      });
      x.result = result;
      const mv: Mover = (acct, asset, delta, reason) => {
        if (delta !== 0)
          x.moves.push({ at: now, txnId: x.req.txnId, redemptionId: id, account: acct, asset, delta, reason });
      };
      if (payer) {
        mv(account.wallet(payer), 'fen', -sel.payableFen, phase);
        mv(
          phase === 'hold' ? account.held(id) : account.merchant(x.req.purchase.merchantId),
          'fen',
          sel.payableFen,
          phase,
        );
        const proxied = payer === member.id ? 0 : sel.payableFen;
        d.usage.add(id, counterKey.proxyDay(payer, member.id, t), 0, proxied);
        d.usage.add(id, counterKey.proxyMonth(payer, member.id, t), 0, proxied);
      }
      if (x.req.trust === 'low') d.usage.add(id, counterKey.lowTrustDay(member.id, t), 1, sel.payableFen);
      mv(account.points(member.id), 'points', -sel.pointsCost, 'exchange');
      mv(account.pointsSpent(x.req.purchase.merchantId), 'points', sel.pointsCost, 'exchange');
      if (phase === 'capture') {
        mv(account.issuerPoints, 'points', -sel.pointsEarned, 'accrual');
        mv(account.points(member.id), 'points', sel.pointsEarned, 'accrual');
      }
      for (const a of sel.applied) {
        const c = campaigns.get(a.campaignId);
        d.redemptions.addBenefit(id, a.campaignId, a.instanceId, a.savingFen);
        if (c?.rules.perMemberLimit)
          d.usage.add(
            id,
            counterKey.member(member.id, c.id, periodKey(c.rules.perMemberLimit.period, t)),
            1,
            a.savingFen,
          );
        if (c?.rules.budget) d.usage.add(id, counterKey.budget(c.id), 1, a.savingFen);
        const inst = a.instanceId ? x.instances?.find((i) => i.id === a.instanceId) : undefined;
        if (inst && c?.usage.type === 'period_card')
          d.usage.add(id, counterKey.instance(inst.id, periodKey(c.usage.period, t)), 1, 0);
        if (inst?.usesLeft !== undefined) {
          mv(account.uses(inst.id), 'uses', -1, phase);
          mv(account.issuerUses, 'uses', 1, phase);
          d.catalog.upsertInstance({
            ...inst,
            usesLeft: inst.usesLeft - 1,
            status: inst.usesLeft - 1 === 0 ? 'used' : 'active',
          });
        }
      }
      if (phase === 'capture')
        grantBundles(
          id,
          member.id,
          sel.applied.map((a) => a.campaignId),
          now,
          mv,
        );
      return undefined;
    },
  },
  {
    name: 'post-ledger',
    run(x, d) {
      d.ledger.append(x.moves);
      d.catalog.markActive(x.req.memberId, x.t.date);
      const result = need(x.result, 'the stored redemption');
      d.outbox?.append(
        'money',
        `redemption.${result.state}`,
        redemptionEvent(
          { merchantId: x.req.purchase.merchantId, deviceId: x.req.purchase.deviceId, memberId: x.req.memberId },
          result,
          x.now,
        ),
      );
      return result;
    },
  },
];

/** Runs the pipeline for one request; steps are logged by name with their duration. */
type GrantBundles = (id: string, memberId: string, campaignIds: string[], now: number, mv: Mover) => void;

export function runDecide(
  req: RedeemRequest,
  phase: 'hold' | 'capture',
  d: RedemptionDeps,
  grantBundles: GrantBundles,
): RedemptionResult {
  const now = d.clock.now();
  const x: Decision = {
    req,
    phase,
    now,
    t: localTime(now, d.config.timezone),
    id: `r-${now.toString(36)}-${randomBytes(5).toString('hex')}`,
    fingerprint: fingerprintOf(req, phase),
    moves: [],
  };
  // the steps' timings are taken only when someone reads them: at info level they cost every decision
  const debug = d.log.isLevelEnabled('debug');
  for (const step of DECIDE_PIPELINE) {
    const started = debug ? performance.now() : 0;
    const done = step.run(x, d, grantBundles);
    if (debug)
      d.log.debug(
        { txnId: req.txnId, step: step.name, ms: +(performance.now() - started).toFixed(3) },
        'redemption step',
      );
    if (done) {
      if (debug)
        d.log.debug(
          {
            redemptionId: done.redemptionId,
            status: done.status,
            payableFen: done.payableFen,
            savingFen: done.savingFen,
            applied: done.applied.map((a) => a.campaignId),
          },
          'redemption decided',
        );
      return done;
    }
  }
  throw new Error('the redemption pipeline ended without a result');
}

/** Declines are stored too: a retry of a declined purchase must not suddenly succeed on other state. */
function decline(x: Decision, d: RedemptionDeps, code: NonNullable<RedemptionResult['declineCode']>): RedemptionResult {
  const sel = need(x.sel, 'the selection');
  const result = { ...toResult(x.id, x.req.txnId, 'declined', 'declined', sel, 'none', undefined), declineCode: code };
  d.redemptions.insert({
    id: x.id,
    txnId: x.req.txnId,
    fingerprint: x.fingerprint,
    memberId: x.req.memberId,
    now: x.now,
    merchantId: x.req.purchase.merchantId,
    deviceId: x.req.purchase.deviceId,
    payerId: undefined,
    state: 'declined',
    holdExpiresAt: undefined,
    result,
  });
  d.outbox?.append(
    'money',
    'redemption.declined',
    redemptionEvent(
      { merchantId: x.req.purchase.merchantId, deviceId: x.req.purchase.deviceId, memberId: x.req.memberId },
      result,
      x.now,
    ),
  );
  return result;
}

/** What makes two requests "the same purchase": everything but the time it arrived (a retry comes later). */
function fingerprintOf(req: RedeemRequest, phase: string): string {
  const { at: _at, ...what } = req.purchase;
  return createHash('sha256')
    .update(JSON.stringify([phase, req.memberId, req.trust, what, req.couponInstanceId ?? null]))
    .digest('hex');
}

function toResult(
  id: string,
  txnId: string,
  status: 'approved' | 'declined',
  state: RedemptionResult['state'],
  sel: Selection,
  paidBy: RedemptionResult['paidBy'],
  holdExpiresAt: number | undefined,
): RedemptionResult {
  const approved = status === 'approved';
  return {
    redemptionId: id,
    txnId,
    status,
    state,
    subtotalFen: sel.subtotalFen,
    savingFen: sel.savingFen,
    payableFen: approved ? sel.payableFen : 0,
    paidBy,
    pointsCost: approved ? sel.pointsCost : 0,
    pointsEarned: approved ? sel.pointsEarned : 0,
    applied: approved
      ? sel.applied.map((a) => ({
          campaignId: a.campaignId,
          ...(a.instanceId ? { instanceId: a.instanceId } : {}),
          name: a.name,
          savingFen: a.savingFen,
        }))
      : [],
    notApplied: sel.notApplied.map((r) => ({
      campaignId: r.campaignId,
      ...(r.ref.startsWith('i:') ? { instanceId: r.ref.slice(2) } : {}),
      name: r.name,
      code: r.code,
      message: r.message,
    })),
    ...(holdExpiresAt !== undefined ? { holdExpiresAt } : {}),
  };
}
