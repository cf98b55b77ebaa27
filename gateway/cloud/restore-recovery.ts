import { LinliError } from '../../firmware-protocol/src/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { localTime } from '../redemption/domain/local-time.ts';
import { periodKey } from '../redemption/domain/usage-facts.ts';
import { counterKey } from '../redemption/service/facts.ts';
import { account, type LedgerMovement, type LedgerPort, type LedgerReason } from '../redemption/service/ports.ts';
import type { CatalogRepo } from '../redemption/store/catalog-repo.ts';
import type { RedemptionRepo } from '../redemption/store/redemption-repo.ts';
import type { UsageRepo } from '../redemption/store/usage-repo.ts';
import type { Db } from '../store/db-type.ts';
import { alreadyApplied, creditGrant, grantMarker, releaseMarker, releaseToEscrow } from './cloud-escrow.ts';
import type { CloudEvent } from './contract/envelopes.ts';
import type { RestoreDoc } from './contract/events-restore.ts';
import { STREAMS } from './contract/streams.ts';
import type { OutboxRepo } from './outbox-repo.ts';

interface RecoveryDeps {
  db: Db;
  outbox: OutboxRepo;
  ledger: LedgerPort;
  usage: UsageRepo;
  catalog: CatalogRepo;
  redemptions: RedemptionRepo;
  clock: Clock;
  log: Logger;
  /** The community's time zone: a limit per day, week or month counts in the period the purchase was in. */
  timezone: string;
}

interface RedemptionData {
  redemptionId: string;
  txnId: string;
  memberId: string;
  merchantId: string;
  deviceId?: string | null;
  subtotalFen: number;
  savingFen: number;
  payableFen: number;
  paidBy: 'own' | 'proxy' | 'none';
  pointsCost: number;
  pointsEarned: number;
  applied: { campaignId: string; instanceId?: string; savingFen: number }[];
  at: number;
}

type Outcome = 'applied' | 'refused' | 'ignored';

/**
 * The money a restored box missed [CLP-5.12]. The original box went on after the backup was taken:
 * payments, points and grants it approved then are at the cloud, not in the restored database, so its
 * wallets, points and uses would be too high and a resident could spend twice. The restored gateway says
 * it was restored (`gateway.restored`, the first event of its new epoch), the cloud answers with the
 * `restore` document, and each of those events is applied here once (by its event id, and by the same
 * markers the original writes used: a points award's txn, a grant's id), without writing a new money
 * event (the cloud has the original). Until every event up to the cloud's `upTo` is applied the recovery
 * is pending: the gateway raises RESTORE_RECOVERY_PENDING and decides as with a stale hotlist.
 */
export class RestoreRecovery {
  private readonly s;
  private pendingNow: boolean;

  constructor(private readonly d: RecoveryDeps) {
    this.s = {
      pending: d.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM restores WHERE recovered_at IS NULL'),
      unannounced: d.db.prepare<[string], { from_epoch: string }>(
        'SELECT from_epoch FROM restores WHERE epoch = ? AND announced_at IS NULL',
      ),
      points: d.db.prepare<[string], { stream: string; seq: number }>(
        'SELECT stream, seq FROM restore_points WHERE epoch = ?',
      ),
      announced: d.db.prepare('UPDATE restores SET announced_at = ? WHERE epoch = ?'),
      restore: d.db.prepare<[string], { from_epoch: string; recovered_at: number | null }>(
        'SELECT from_epoch, recovered_at FROM restores WHERE epoch = ?',
      ),
      seen: d.db.prepare<[string], { outcome: Outcome }>('SELECT outcome FROM restore_applied WHERE event_id = ?'),
      record: d.db.prepare('INSERT INTO restore_applied (event_id, epoch, outcome, applied_at) VALUES (?, ?, ?, ?)'),
      counts: d.db.prepare<[string], { outcome: Outcome; n: number }>(
        'SELECT outcome, COUNT(*) AS n FROM restore_applied WHERE epoch = ? GROUP BY outcome',
      ),
      recovered: d.db.prepare('UPDATE restores SET recovered_at = ? WHERE epoch = ?'),
      held: d.db.prepare<[string], { n: number }>(
        "SELECT COUNT(*) AS n FROM ledger WHERE redemption_id = ? AND reason = 'hold'",
      ),
    };
    this.pendingNow = (this.s.pending.get()?.n ?? 0) > 0;
  }

  /** A restore whose lost tail is not all applied yet: raise RESTORE_RECOVERY_PENDING, decide strictly. */
  pending(): boolean {
    return this.pendingNow;
  }

  /**
   * Writes `gateway.restored` once, as the first event of the restored epoch (run in a unit of the
   * writer, before anything else is written at start). Nothing to say for a database never restored.
   */
  announce(): void {
    const epoch = this.d.outbox.epoch;
    const r = this.s.unannounced.get(epoch);
    if (!r) return;
    const now = this.d.clock.now();
    const points = Object.fromEntries(STREAMS.map((s) => [s, 0]));
    for (const p of this.s.points.all(epoch)) points[p.stream] = p.seq;
    this.d.outbox.append('money', 'gateway.restored', { fromEpoch: r.from_epoch, restorePoints: points, at: now });
    this.s.announced.run(now, epoch);
    this.d.log.warn({ epoch, fromEpoch: r.from_epoch, restorePoints: points }, 'restored database: asking the cloud');
  }

  /** Applies one `restore` document (inside DocSync's unit of the writer). */
  apply(doc: RestoreDoc): void {
    const r = this.s.restore.get(doc.epoch);
    if (!r || r.from_epoch !== doc.fromEpoch) {
      this.d.log.warn({ epoch: doc.epoch, fromEpoch: doc.fromEpoch }, 'restore document for no restore of this box');
      return;
    }
    if (r.recovered_at !== null) return;
    const now = this.d.clock.now();
    let last = doc.after;
    for (const e of doc.events) {
      if (e.seq !== last + 1) throw new Error(`restore document: event seq ${e.seq} after ${last}, not in order`);
      last = e.seq;
      if (this.s.seen.get(e.id)) continue;
      this.s.record.run(e.id, doc.fromEpoch, this.applyOne(e, now), now);
    }
    if (last < doc.upTo) return; // more pages follow
    this.s.recovered.run(now, doc.epoch);
    const counts = Object.fromEntries(this.s.counts.all(doc.fromEpoch).map((c) => [c.outcome, c.n]));
    this.d.outbox.append('money', 'gateway.recovered', {
      fromEpoch: doc.fromEpoch,
      upTo: doc.upTo,
      applied: counts.applied ?? 0,
      refused: counts.refused ?? 0,
      at: now,
    });
    this.pendingNow = (this.s.pending.get()?.n ?? 0) > 0;
    this.d.log.info({ epoch: doc.epoch, upTo: doc.upTo, counts }, 'restored database: the lost tail is applied');
  }

  /** One event in its own savepoint: money spent again before it arrived refuses it alone. */
  private applyOne(e: CloudEvent, now: number): Outcome {
    try {
      return this.d.db.transaction(() => this.move(e, now))();
    } catch (err) {
      if (!(err instanceof LinliError) || err.code !== 'REDEMPTION_STATE') throw err;
      this.d.log.error({ event: e.id, kind: e.kind, err: err.message }, 'recovered event could not be applied');
      return 'refused';
    }
  }

  private move(e: CloudEvent, now: number): Outcome {
    const data = e.data as Record<string, unknown>;
    switch (e.kind) {
      case 'points.awarded':
        return this.award(data as { memberId: string; points: number; txnId: string; reason: string }, now);
      case 'allowance.credited':
        return this.credit(data as { grantId: string; memberId: string; amountFen: number }, now);
      case 'allowance.released':
        return this.release(data as { releaseId: string; memberId: string; amountFen: number }, now);
      case 'redemption.held':
      case 'redemption.captured':
      case 'redemption.voided':
      case 'redemption.expired':
      case 'redemption.reversed':
        return this.redemption(e.kind, data as unknown as RedemptionData, now);
      default:
        return 'ignored'; // declined, anchors, restores: nothing moved
    }
  }

  /** As RedemptionService.awardPoints: once per txn, so a retry after the recovery awards nothing. */
  private award(d: { memberId: string; points: number; txnId: string; reason: string }, now: number): Outcome {
    const marker = `award|${d.txnId}`;
    if (this.d.usage.get(marker).count > 0) return 'ignored';
    this.d.usage.bump(marker, 1, 0);
    const base = { at: now, txnId: d.txnId, redemptionId: `${d.reason}:${d.txnId}`, reason: 'accrual' as const };
    this.d.ledger.append([
      { ...base, account: account.issuerPoints, asset: 'points', delta: -d.points },
      { ...base, account: account.points(d.memberId), asset: 'points', delta: d.points },
    ]);
    return 'applied';
  }

  /** As DocSync credits a grant: once per grant id, so the allowances document resent later credits nothing. */
  private credit(g: { grantId: string; memberId: string; amountFen: number }, now: number): Outcome {
    if (alreadyApplied(this.d, grantMarker(g.grantId))) return 'ignored';
    creditGrant(this.d, g, now);
    return 'applied';
  }

  /** The amount the original box handed back, exactly (not what is left here now). */
  private release(r: { releaseId: string; memberId: string; amountFen: number }, now: number): Outcome {
    if (alreadyApplied(this.d, releaseMarker(r.releaseId))) return 'ignored';
    releaseToEscrow(this.d, r, r.amountFen, now);
    return 'applied';
  }

  /**
   * A redemption step the original box took, as the engine moved it: the payer's wallet (only a member
   * paying for themselves can be named from the event), the points spent and earned, the uses of the
   * benefits applied. A redemption the backup holds follows the step (so its hold does not expire later).
   */
  private redemption(kind: string, d: RedemptionData, now: number): Outcome {
    const moves: LedgerMovement[] = [];
    const mv = (acct: string, asset: LedgerMovement['asset'], delta: number, reason: LedgerReason) => {
      if (delta !== 0)
        moves.push({ at: now, txnId: d.txnId, redemptionId: d.redemptionId, account: acct, asset, delta, reason });
    };
    const row = this.d.redemptions.get(d.redemptionId);
    // a proxy payer is named only by the row the backup holds
    const payer = row?.payerId ?? (d.paidBy === 'own' ? d.memberId : undefined);
    if (!row && (kind === 'redemption.held' || kind === 'redemption.captured')) this.remember(kind, d, payer);
    const P = d.payableFen;
    const held = (this.s.held.get(d.redemptionId)?.n ?? 0) > 0;
    const uses = (delta: -1 | 1, reason: LedgerReason) => {
      for (const a of d.applied) {
        const inst = a.instanceId ? this.d.catalog.instance(a.instanceId) : undefined;
        if (inst?.usesLeft === undefined) continue;
        mv(account.uses(inst.id), 'uses', delta, reason);
        mv(account.issuerUses, 'uses', -delta, reason);
        const left = inst.usesLeft + delta;
        this.d.catalog.upsertInstance({ ...inst, usesLeft: left, status: left === 0 ? 'used' : 'active' });
      }
    };
    const spend = (phase: 'hold' | 'capture') => {
      if (payer) {
        mv(account.wallet(payer), 'fen', -P, phase);
        mv(phase === 'hold' ? account.held(d.redemptionId) : account.merchant(d.merchantId), 'fen', P, phase);
      }
      mv(account.points(d.memberId), 'points', -d.pointsCost, 'exchange');
      mv(account.pointsSpent(d.merchantId), 'points', d.pointsCost, 'exchange');
      uses(-1, phase);
      this.count(d, payer);
    };
    const giveBack = (reason: LedgerReason, from: string) => {
      if (payer) {
        mv(from, 'fen', -P, reason);
        mv(account.wallet(payer), 'fen', P, reason);
      }
      mv(account.pointsSpent(d.merchantId), 'points', -d.pointsCost, reason);
      mv(account.points(d.memberId), 'points', d.pointsCost, reason);
      uses(1, reason);
    };
    // a void, an expiry or a reversal gives back the limits and budgets the purchase counted, as the engine does
    const uncount = () => this.d.usage.undo(d.redemptionId);
    let state: 'held' | 'captured' | 'voided' | 'reversed';
    if (kind === 'redemption.held') {
      spend('hold');
      state = 'held';
    } else if (kind === 'redemption.captured') {
      if (held) {
        mv(account.held(d.redemptionId), 'fen', -P, 'capture');
        mv(account.merchant(d.merchantId), 'fen', P, 'capture');
      } else spend('capture');
      mv(account.issuerPoints, 'points', -d.pointsEarned, 'accrual');
      mv(account.points(d.memberId), 'points', d.pointsEarned, 'accrual');
      state = 'captured';
    } else if (kind === 'redemption.reversed') {
      giveBack('reversal', account.merchant(d.merchantId));
      mv(account.points(d.memberId), 'points', -d.pointsEarned, 'reversal');
      mv(account.issuerPoints, 'points', d.pointsEarned, 'reversal');
      uncount();
      state = 'reversed';
    } else {
      giveBack(kind === 'redemption.expired' ? 'expiry' : 'void', account.held(d.redemptionId));
      uncount();
      state = 'voided';
    }
    this.d.ledger.append(moves);
    if (row && row.state !== state) this.d.redemptions.setState(row.id, state, now, { ...row.result, state });
    return 'applied';
  }

  /**
   * A purchase the backup never saw gets its row, so a device resending its txn is answered, not charged
   * again (its fingerprint is unknown here: a resend with other content is refused as a conflict), a hold
   * still open expires here as it would have there, and a later reversal finds what it gives back.
   */
  private remember(kind: string, d: RedemptionData, payer: string | undefined): void {
    const campaigns = this.d.catalog.campaigns();
    const state = kind === 'redemption.held' ? 'held' : 'captured';
    this.d.redemptions.insert({
      id: d.redemptionId,
      txnId: d.txnId,
      fingerprint: `restored:${d.redemptionId}`,
      deviceId: d.deviceId ?? undefined,
      merchantId: d.merchantId,
      memberId: d.memberId,
      payerId: payer,
      state,
      now: d.at,
      // the hold's deadline is not in the event: one still open when it arrives here has run out
      holdExpiresAt: state === 'held' ? d.at : undefined,
      result: {
        redemptionId: d.redemptionId,
        txnId: d.txnId,
        status: 'approved',
        state,
        subtotalFen: d.subtotalFen,
        savingFen: d.savingFen,
        payableFen: d.payableFen,
        paidBy: d.paidBy,
        pointsCost: d.pointsCost,
        pointsEarned: d.pointsEarned,
        applied: d.applied.map((a) => ({
          campaignId: a.campaignId,
          ...(a.instanceId ? { instanceId: a.instanceId } : {}),
          name: campaigns.get(a.campaignId)?.name ?? { zh: a.campaignId, en: a.campaignId },
          savingFen: a.savingFen,
        })),
        notApplied: [],
      },
    });
    for (const a of d.applied) this.d.redemptions.addBenefit(d.redemptionId, a.campaignId, a.instanceId, a.savingFen);
  }

  /**
   * The counters a purchase adds, as the engine adds them (per-member limits, budgets, a period card's
   * uses per period, a proxy payer's day and month), recorded under the redemption so a later void or
   * reversal takes them back: else a once-a-month offer used on the lost box could be used again here.
   * The low-trust day counter is not among them (the event does not say how the member was identified).
   */
  private count(d: RedemptionData, payer: string | undefined): void {
    const t = localTime(d.at, this.d.timezone);
    const campaigns = this.d.catalog.campaigns();
    for (const a of d.applied) {
      const c = campaigns.get(a.campaignId);
      if (!c) continue;
      if (c.rules.perMemberLimit)
        this.d.usage.add(
          d.redemptionId,
          counterKey.member(d.memberId, c.id, periodKey(c.rules.perMemberLimit.period, t)),
          1,
          a.savingFen,
        );
      if (c.rules.budget) this.d.usage.add(d.redemptionId, counterKey.budget(c.id), 1, a.savingFen);
      if (a.instanceId && c.usage.type === 'period_card')
        this.d.usage.add(d.redemptionId, counterKey.instance(a.instanceId, periodKey(c.usage.period, t)), 1, 0);
    }
    if (payer && payer !== d.memberId) {
      this.d.usage.add(d.redemptionId, counterKey.proxyDay(payer, d.memberId, t), 0, d.payableFen);
      this.d.usage.add(d.redemptionId, counterKey.proxyMonth(payer, d.memberId, t), 0, d.payableFen);
    }
  }
}
