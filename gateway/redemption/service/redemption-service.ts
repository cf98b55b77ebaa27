import { LinliError } from '../../../firmware-protocol/src/errors.ts';
import { transition, type RedemptionCommand } from '../domain/lifecycle.ts';
import type { RedemptionRow } from '../store/redemption-repo.ts';
import { account, type LedgerMovement, type LedgerReason } from './ports.ts';
import type { RedemptionResult } from './result.ts';
import { redemptionEvent } from './redemption-event.ts';
import { runDecide, ShortfallError, type Mover } from './decide-pipeline.ts';

export type {
  OnlineTopUp,
  RedeemRequest,
  RedemptionConfig,
  RedemptionDeps,
  SettledRedemption,
} from './service-types.ts';
import type { OnlineTopUp, RedeemRequest, RedemptionDeps } from './service-types.ts';

/**
 * Durable, idempotent redemption. Every decision runs inside the single writer, so two requests for
 * the same coupon or wallet are decided one after the other on committed state and can never both
 * succeed; a caller hears "approved" only after the batch holding its redemption is committed with
 * synchronous=FULL. The same txnId always returns the same result.
 */
export class RedemptionService {
  constructor(private readonly d: RedemptionDeps) {}

  /** Limits for plain UID cards, changed by the cloud at run time (a `config` document). */
  setLowTrustLimits(limits: { perTxnFen: number; perDayFen: number }): void {
    this.d.config.lowTrust = { ...limits };
  }

  get lowTrustLimits(): { perTxnFen: number; perDayFen: number } {
    return { ...this.d.config.lowTrust };
  }

  private topUp: OnlineTopUp | undefined;

  /** While the cloud is reachable, a purchase beyond the allowance asks it for more before declining. */
  setOnlineTopUp(fn: OnlineTopUp | undefined): void {
    this.topUp = fn;
  }

  /** Two-phase, for devices that dispense: hold funds and uses until capture or void. */
  authorize(req: RedeemRequest): Promise<RedemptionResult> {
    return this.decideWithTopUp(req, 'hold');
  }

  /** Single-phase, for shop scanners: decide and capture at once. */
  redeem(req: RedeemRequest): Promise<RedemptionResult> {
    return this.told(this.decideWithTopUp(req, 'capture'), req.purchase.deviceId);
  }

  /** Tells the listener of a committed result that settled money (a decline or a hold moved nothing for good). */
  private told(p: Promise<RedemptionResult>, deviceId: string | undefined): Promise<RedemptionResult> {
    return p.then((r) => {
      this.tell(r, deviceId);
      return r;
    });
  }

  private tell(r: RedemptionResult, deviceId: string | undefined): void {
    if (r.status !== 'approved' || r.state === 'held' || !this.d.onSettled) return;
    const { redemptionId, state, payableFen, savingFen } = r;
    try {
      this.d.onSettled({ redemptionId, deviceId, state, payableFen, savingFen });
    } catch (err) {
      this.d.log.error({ err, redemptionId }, 'a settled-redemption listener failed');
    }
  }

  /**
   * Decisions waiting on the cloud, by device and txn [FWP-4.3]:
   * a retry meanwhile waits for it instead of asking again.
   */
  private readonly waitingOnCloud = new Map<string, Promise<RedemptionResult>>();

  private decideWithTopUp(req: RedeemRequest, phase: 'hold' | 'capture'): Promise<RedemptionResult> {
    const key = `${req.purchase.deviceId ?? ''}|${req.txnId}`;
    const waiting = this.waitingOnCloud.get(key);
    // a request arriving meanwhile is decided after the first one, on its own, in the writer: a retry
    // finds the stored answer (or TXN_REUSED for another body), and never takes the first one's answer unchecked
    if (waiting) return waiting.then(settle, settle).then(() => this.d.writer.submit(() => this.decide(req, phase)));
    const p = this.decideAskingCloud(req, phase);
    this.waitingOnCloud.set(key, p);
    const done = () => this.waitingOnCloud.delete(key);
    p.then(done, done);
    return p;
  }

  private async decideAskingCloud(req: RedeemRequest, phase: 'hold' | 'capture'): Promise<RedemptionResult> {
    const topUp = this.topUp;
    if (!topUp) return this.d.writer.submit(() => this.decide(req, phase));
    try {
      return await this.d.writer.submit(() => this.decide({ ...req, askForTopUp: true }, phase));
    } catch (err) {
      if (!(err instanceof ShortfallError)) throw err;
      const granted = await topUp(req.memberId, err.shortfallFen).catch(() => false);
      this.d.log.info(
        { txnId: req.txnId, shortfallFen: err.shortfallFen, granted },
        'online authorisation asked of the cloud',
      );
      // granted or not (timed out, refused, offline), this decision is final and stored
      return this.d.writer.submit(() => this.decide(req, phase));
    }
  }

  /** [FWP-4.3] `txnId` is the authorize's, unique per device (`deviceId` undefined: a purchase made without one). */
  capture(txnId: string, deviceId: string | undefined): Promise<RedemptionResult> {
    return this.told(
      this.d.writer.submit(() => this.move(this.byTxn(deviceId, txnId), 'capture')),
      deviceId,
    );
  }

  void(txnId: string, deviceId: string | undefined): Promise<RedemptionResult> {
    return this.told(
      this.d.writer.submit(() => this.move(this.byTxn(deviceId, txnId), 'void')),
      deviceId,
    );
  }

  /**
   * Takes what was really used out of a hold and releases the rest, in one unit of work: the hold
   * (`holdTxnId`) is voided and `actual` is decided as a purchase of its own (benefits chosen again on
   * what was used), so the wallet never shows both. A hold that expired meanwhile (the device was
   * offline past it) is charged from the wallet the same way. A resend of the same settlement gets
   * its first answer; an `actual` without items only releases the hold.
   */
  settle(holdTxnId: string, deviceId: string, actual: RedeemRequest): Promise<RedemptionResult> {
    return this.told(this.settleUnit(holdTxnId, deviceId, actual), deviceId);
  }

  private settleUnit(holdTxnId: string, deviceId: string, actual: RedeemRequest): Promise<RedemptionResult> {
    return this.d.writer.submit(() => {
      const settled = this.d.redemptions.byTxn(deviceId, actual.txnId);
      if (settled) return settled.result;
      const hold = this.byTxn(deviceId, holdTxnId);
      const released =
        hold.state === 'held' ? this.move(hold, 'void') : hold.state === 'voided' ? hold.result : undefined;
      if (!released)
        throw new LinliError('REDEMPTION_STATE', `hold ${hold.id} is ${hold.state}, not settled`, {
          refusal: 'NOT_HELD',
          state: hold.state,
        });
      const fen = actual.purchase.items.reduce((sum, i) => sum + i.unitPriceFen * i.qty, 0);
      if (fen === 0) return released;
      return this.decide(actual, 'capture');
    });
  }

  /**
   * Refunds a captured redemption. `by` names the request (a device's txn, or staff), so a retry of that
   * request gets the same answer while any other reversal of an already reversed redemption is refused
   * (ALREADY_REVERSED): a cashier never sees a second "refunded" for money that moved once.
   */
  reverse(redemptionId: string, by: string, note?: string): Promise<RedemptionResult> {
    return this.told(this.reverseUnit(redemptionId, by, note), undefined);
  }

  private reverseUnit(redemptionId: string, by: string, note: string | undefined): Promise<RedemptionResult> {
    return this.d.writer.submit(() => {
      const row = this.d.redemptions.get(redemptionId);
      if (!row) throw new LinliError('REDEMPTION_NOT_FOUND', `no redemption ${redemptionId}`);
      if (row.state === 'reversed' && row.reversedBy !== by) {
        throw new LinliError('REDEMPTION_STATE', `redemption ${row.id} was already reversed`, {
          refusal: 'ALREADY_REVERSED',
          state: row.state,
        });
      }
      const result = this.move(row, 'reverse', by);
      // why staff reversed it, in the unit that moved the money back
      if (note && result.state === 'reversed') this.d.redemptions.noteReversal(row.id, note);
      return result;
    });
  }

  /**
   * Community-activity points (an event check-in, a volunteer shift, a property-fee payment): credited
   * once per `txnId`, whatever the retries; returns whether this call credited them and the new balance.
   */
  awardPoints(
    memberId: string,
    points: number,
    txnId: string,
    reason: 'activity' | 'property-fee',
  ): Promise<{ awarded: boolean; points: number }> {
    if (!Number.isSafeInteger(points) || points <= 0)
      return Promise.reject(new LinliError('VALIDATION_FAILED', 'points must be a positive whole number'));
    return this.d.writer.submit(() => {
      if (!this.d.catalog.member(memberId)) throw new LinliError('MEMBER_NOT_FOUND', `no member ${memberId}`);
      const marker = `award|${txnId}`;
      const awarded = this.d.usage.get(marker).count === 0;
      if (awarded) {
        this.d.usage.bump(marker, 1, 0);
        const base = { at: this.d.clock.now(), txnId, redemptionId: `${reason}:${txnId}`, reason: 'accrual' as const };
        this.d.ledger.append([
          { ...base, account: account.issuerPoints, asset: 'points', delta: -points },
          { ...base, account: account.points(memberId), asset: 'points', delta: points },
        ]);
        this.d.outbox?.append('money', 'points.awarded', { memberId, points, txnId, reason, at: base.at });
      }
      return { awarded, points: this.d.ledger.balance(account.points(memberId), 'points') };
    });
  }

  /** Voids every hold whose time ran out; returns how many. */
  expireHolds(): Promise<number> {
    return this.d.writer
      .submit(() =>
        this.d.redemptions.expiredHolds(this.d.clock.now()).map((row) => ({ row, r: this.move(row, 'expire') })),
      )
      .then((expired) => {
        for (const { row, r } of expired) this.tell(r, row.deviceId ?? undefined);
        return expired.length;
      });
  }

  private byTxn(deviceId: string | undefined, txnId: string): RedemptionRow {
    const row = this.d.redemptions.byTxn(deviceId, txnId);
    if (!row) throw new LinliError('REDEMPTION_NOT_FOUND', `no redemption for transaction ${txnId}`);
    return row;
  }

  private decide(req: RedeemRequest, phase: 'hold' | 'capture'): RedemptionResult {
    return runDecide(req, phase, this.d, (id, memberId, campaignIds, now, mv) =>
      this.grantBundles(id, memberId, campaignIds, now, mv),
    );
  }

  /**
   * Cross-merchant bundles (亲子乐园+社区生鲜): a captured purchase with a bundle benefit issues the
   * member the benefits it grants at other merchants, with their uses in the ledger.
   */
  private grantBundles(
    redemptionId: string,
    memberId: string,
    appliedCampaignIds: string[],
    now: number,
    mv: Mover,
  ): void {
    const campaigns = this.d.catalog.campaigns();
    for (const cid of appliedCampaignIds) {
      for (const g of campaigns.get(cid)?.grants ?? []) {
        const granted = campaigns.get(g);
        if (!granted) continue;
        const uses = grantedUses(granted);
        const id = grantedId(redemptionId, g);
        this.d.catalog.upsertInstance({
          id,
          campaignId: g,
          memberId,
          issuedAt: now,
          ...(uses !== undefined ? { usesLeft: uses } : {}),
          status: 'active',
        });
        if (uses) {
          mv(account.issuerUses, 'uses', -uses, 'capture');
          mv(account.uses(id), 'uses', uses, 'capture');
        }
      }
    }
  }

  /** A reversal takes back what the bundle granted; if a granted benefit was used since, nothing is reversed. */
  private revokeBundles(redemptionId: string, memberId: string, appliedCampaignIds: string[], mv: Mover): void {
    const campaigns = this.d.catalog.campaigns();
    const instances = this.d.catalog.instancesOf(memberId);
    for (const cid of appliedCampaignIds) {
      for (const g of campaigns.get(cid)?.grants ?? []) {
        const inst = instances.find((i) => i.id === grantedId(redemptionId, g));
        const granted = campaigns.get(g);
        if (!inst || !granted) continue;
        const uses = grantedUses(granted);
        if (inst.status !== 'active' || (uses !== undefined && inst.usesLeft !== uses)) {
          throw new LinliError('REDEMPTION_STATE', 'a benefit this bundle granted has been used since', {
            refusal: 'BUNDLE_BENEFIT_USED',
          });
        }
        this.d.catalog.upsertInstance({ ...inst, status: 'revoked' });
        if (uses) {
          mv(account.uses(inst.id), 'uses', -uses, 'reversal');
          mv(account.issuerUses, 'uses', uses, 'reversal');
        }
      }
    }
  }

  /** Capture, void, expiry and reversal: the pure lifecycle decides, then the ledger moves it all at once. */
  private move(row: RedemptionRow, cmd: RedemptionCommand, reversedBy?: string): RedemptionResult {
    if (row.state === 'declined')
      throw new LinliError('REDEMPTION_STATE', `redemption ${row.id} was declined`, { refusal: 'DECLINED' });
    const now = this.d.clock.now();
    const t = transition(
      row.state,
      cmd,
      { createdAt: row.createdAt, holdExpiresAt: row.holdExpiresAt, capturedAt: row.capturedAt },
      now,
      this.d.config.reversalWindowMs,
    );
    if ('refused' in t)
      throw new LinliError('REDEMPTION_STATE', `cannot ${cmd} redemption ${row.id}: ${t.refused}`, {
        refusal: t.refused,
        state: row.state,
      });
    if (t.same) return row.result;
    const { ledger } = this.d;
    const moves: LedgerMovement[] = [];
    const mv = (acct: string, asset: LedgerMovement['asset'], delta: number, reason: LedgerReason) => {
      if (delta !== 0)
        moves.push({ at: now, txnId: row.txnId, redemptionId: row.id, account: acct, asset, delta, reason });
    };
    const payable = row.payableFen;
    if (t.next === 'captured') {
      mv(account.held(row.id), 'fen', -payable, 'capture');
      mv(account.merchant(row.merchantId), 'fen', payable, 'capture');
      mv(account.issuerPoints, 'points', -row.pointsEarned, 'accrual');
      mv(account.points(row.memberId), 'points', row.pointsEarned, 'accrual');
      this.grantBundles(
        row.id,
        row.memberId,
        this.d.redemptions.benefits(row.id).map((b) => b.campaignId),
        now,
        mv,
      );
    } else {
      if (cmd === 'reverse')
        this.revokeBundles(
          row.id,
          row.memberId,
          this.d.redemptions.benefits(row.id).map((b) => b.campaignId),
          mv,
        );
      const reason: LedgerReason = cmd === 'reverse' ? 'reversal' : cmd === 'expire' ? 'expiry' : 'void';
      if (row.payerId) {
        mv(cmd === 'reverse' ? account.merchant(row.merchantId) : account.held(row.id), 'fen', -payable, reason);
        mv(account.wallet(row.payerId), 'fen', payable, reason);
      }
      mv(account.pointsSpent(row.merchantId), 'points', -row.pointsCost, reason);
      mv(account.points(row.memberId), 'points', row.pointsCost, reason);
      if (cmd === 'reverse' && row.pointsEarned > 0) {
        // all or nothing: points earned on this purchase that were spent since cannot be taken back
        if (ledger.balance(account.points(row.memberId), 'points') + row.pointsCost < row.pointsEarned) {
          throw new LinliError('REDEMPTION_STATE', `the ${row.pointsEarned} points earned were already spent`, {
            refusal: 'POINTS_ALREADY_SPENT',
          });
        }
        mv(account.points(row.memberId), 'points', -row.pointsEarned, reason);
        mv(account.issuerPoints, 'points', row.pointsEarned, reason);
      }
      for (const b of this.d.redemptions.benefits(row.id)) {
        const inst = b.instanceId
          ? this.d.catalog.instancesOf(row.memberId).find((i) => i.id === b.instanceId)
          : undefined;
        if (inst?.usesLeft !== undefined) {
          mv(account.uses(inst.id), 'uses', 1, reason);
          mv(account.issuerUses, 'uses', -1, reason);
          this.d.catalog.upsertInstance({ ...inst, usesLeft: inst.usesLeft + 1, status: 'active' });
        }
      }
      this.d.usage.undo(row.id);
    }
    ledger.append(moves);
    const result: RedemptionResult = { ...row.result, state: t.next };
    this.d.redemptions.setState(row.id, t.next, now, result, reversedBy);
    this.d.outbox?.append(
      'money',
      `redemption.${cmd === 'expire' ? 'expired' : t.next}`,
      redemptionEvent({ ...row, deviceId: row.deviceId }, result, now),
    );
    return result;
  }
}

const settle = (): void => undefined;

/** Ids of the benefits a captured bundle grants: one per granted campaign, derived, so a retry cannot grant twice. */
const grantedId = (redemptionId: string, campaignId: string) => `g-${redemptionId}-${campaignId}`;

function grantedUses(c: { usage: { type: string; uses?: number } }): number | undefined {
  return c.usage.type === 'single_use' ? 1 : c.usage.type === 'punch_card' ? c.usage.uses : undefined;
}
