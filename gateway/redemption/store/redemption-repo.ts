import type { Db } from '../../store/db-type.ts';
import type { RedemptionState } from '../domain/lifecycle.ts';
import type { Purchase } from '../domain/model.ts';
import { REASONS, type ReasonCode } from '../domain/reasons.ts';
import { RedemptionResultSchema, type RedemptionResult } from '../service/result.ts';

export interface RedemptionRow {
  id: string;
  txnId: string;
  fingerprint: string;
  deviceId: string | undefined;
  merchantId: string;
  memberId: string;
  payerId: string | undefined;
  state: RedemptionState | 'declined';
  createdAt: number;
  holdExpiresAt: number | undefined;
  capturedAt: number | undefined;
  payableFen: number;
  pointsCost: number;
  pointsEarned: number;
  /** The request that reversed it ("device|txn", or "staff:…"), so only a retry of that one gets its answer. */
  reversedBy: string | undefined;
  /** Why staff reversed it, as they wrote it in the console (migration 23). */
  reversalNote: string | undefined;
  result: RedemptionResult;
}

interface Row {
  id: string;
  txn_id: string;
  fingerprint: string;
  device_id: string | null;
  merchant_id: string;
  member_id: string;
  payer_id: string | null;
  state: RedemptionRow['state'];
  created_at: number;
  hold_expires_at: number | null;
  captured_at: number | null;
  payable_fen: number;
  points_cost: number;
  points_earned: number;
  result: string;
  reversed_by: string | null;
  reversal_note: string | null;
}

const fromRow = (r: Row): RedemptionRow => ({
  id: r.id,
  txnId: r.txn_id,
  fingerprint: r.fingerprint,
  deviceId: r.device_id ?? undefined,
  merchantId: r.merchant_id,
  memberId: r.member_id,
  payerId: r.payer_id ?? undefined,
  state: r.state,
  createdAt: r.created_at,
  holdExpiresAt: r.hold_expires_at ?? undefined,
  capturedAt: r.captured_at ?? undefined,
  payableFen: r.payable_fen,
  pointsCost: r.points_cost,
  pointsEarned: r.points_earned,
  reversedBy: r.reversed_by ?? undefined,
  reversalNote: r.reversal_note ?? undefined,
  result: readResult(r.result),
});

interface RedemptionFilter {
  merchantId?: string | undefined;
  memberId?: string | undefined;
  deviceId?: string | undefined;
  state?: RedemptionRow['state'] | undefined;
  since?: number | undefined;
  until?: number | undefined;
  limit: number;
}

/** The redemptions table: one row per (device, transaction id), with the result every retry gets. */
export class RedemptionRepo {
  private readonly s;
  constructor(private readonly db: Db) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO redemptions (id, txn_id, fingerprint, device_id, merchant_id, member_id, payer_id, state,
           created_at, hold_expires_at, captured_at, payable_fen, saving_fen, points_cost, points_earned, result)
         VALUES (@id, @txnId, @fingerprint, @deviceId, @merchantId, @memberId, @payerId, @state, @now, @holdExpiresAt,
           @capturedAt, @payableFen, @savingFen, @pointsCost, @pointsEarned, @result)`,
      ),
      // the expression of the unique index redemptions_device_txn, so the lookup uses it
      byTxn: db.prepare<[string, string], Row>(
        "SELECT * FROM redemptions WHERE ifnull(device_id, '') = ? AND txn_id = ?",
      ),
      get: db.prepare<[string], Row>('SELECT * FROM redemptions WHERE id = ?'),
      // the first note stays: a retry of the same reversal does not rewrite why it was made
      note: db.prepare('UPDATE redemptions SET reversal_note = COALESCE(reversal_note, ?) WHERE id = ?'),
      setState: db.prepare(
        `UPDATE redemptions SET state = @state, result = @result,
           captured_at = CASE WHEN @state = 'captured' THEN @now ELSE captured_at END,
           closed_at = CASE WHEN @state IN ('voided', 'reversed') THEN @now ELSE closed_at END,
           reversed_by = COALESCE(@reversedBy, reversed_by)
         WHERE id = @id`,
      ),
      expired: db.prepare<[number], Row>(
        "SELECT * FROM redemptions WHERE state = 'held' AND hold_expires_at <= ? ORDER BY hold_expires_at LIMIT 500",
      ),
      addBenefit: db.prepare(
        'INSERT INTO redemption_benefits (redemption_id, campaign_id, instance_id, saving_fen) VALUES (?, ?, ?, ?)',
      ),
      benefits: db.prepare<[string], { campaign_id: string; instance_id: string | null; saving_fen: number }>(
        'SELECT * FROM redemption_benefits WHERE redemption_id = ?',
      ),
    };
  }

  insert(r: {
    id: string;
    txnId: string;
    fingerprint: string;
    deviceId: string | undefined;
    merchantId: string;
    memberId: string;
    payerId: string | undefined;
    state: RedemptionRow['state'];
    now: number;
    holdExpiresAt: number | undefined;
    result: RedemptionResult;
    purchase?: Purchase;
  }): void {
    this.s.insert.run({
      id: r.id,
      txnId: r.txnId,
      fingerprint: r.fingerprint,
      deviceId: r.deviceId ?? null,
      merchantId: r.merchantId,
      memberId: r.memberId,
      payerId: r.payerId ?? null,
      state: r.state,
      now: r.now,
      holdExpiresAt: r.holdExpiresAt ?? null,
      capturedAt: r.state === 'captured' ? r.now : null,
      payableFen: r.result.payableFen,
      savingFen: r.result.savingFen,
      pointsCost: r.result.pointsCost,
      pointsEarned: r.result.pointsEarned,
      result: storedResult(r.result),
    });
  }

  /** [FWP-4.3] A txn is unique per device; purchases made without a device (staff, tests) share one space. */
  byTxn(deviceId: string | undefined, txnId: string): RedemptionRow | undefined {
    const r = this.s.byTxn.get(deviceId ?? '', txnId);
    return r ? fromRow(r) : undefined;
  }

  get(id: string): RedemptionRow | undefined {
    const r = this.s.get.get(id);
    return r ? fromRow(r) : undefined;
  }

  noteReversal(id: string, note: string): void {
    this.s.note.run(note, id);
  }

  setState(id: string, state: RedemptionState, now: number, result: RedemptionResult, reversedBy?: string): void {
    this.s.setState.run({ id, state, now, result: storedResult(result), reversedBy: reversedBy ?? null });
  }

  expiredHolds(now: number): RedemptionRow[] {
    return this.s.expired.all(now).map(fromRow);
  }

  addBenefit(redemptionId: string, campaignId: string, instanceId: string | undefined, savingFen: number): void {
    this.s.addBenefit.run(redemptionId, campaignId, instanceId ?? null, savingFen);
  }

  benefits(redemptionId: string): { campaignId: string; instanceId: string | undefined; savingFen: number }[] {
    return this.s.benefits
      .all(redemptionId)
      .map((b) => ({ campaignId: b.campaign_id, instanceId: b.instance_id ?? undefined, savingFen: b.saving_fen }));
  }

  /** Newest first, with the filters staff use. */
  list(f: RedemptionFilter): RedemptionRow[] {
    const where: string[] = [];
    const args: Record<string, string | number> = { limit: f.limit };
    for (const [col, key, val] of [
      ['merchant_id', 'merchantId', f.merchantId],
      ['member_id', 'memberId', f.memberId],
      ['device_id', 'deviceId', f.deviceId],
      ['state', 'state', f.state],
    ] as const) {
      if (val !== undefined) {
        where.push(`${col} = @${key}`);
        args[key] = val;
      }
    }
    if (f.since !== undefined) {
      where.push('created_at >= @since');
      args.since = f.since;
    }
    if (f.until !== undefined) {
      where.push('created_at < @until');
      args.until = f.until;
    }
    const sql =
      `SELECT * FROM redemptions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      'ORDER BY created_at DESC, id DESC LIMIT @limit';
    return this.db.prepare<[Record<string, string | number>], Row>(sql).all(args).map(fromRow);
  }
}

/**
 * A result as stored: a reason's message is left out where it is the catalogue's text for its code (it is
 * put back on reading), which was 40% of a stored result (a member with twenty benefits has twenty
 * reasons, each in two languages) and so of the pages each redemption wrote. Any other message is kept.
 */
function storedResult(result: RedemptionResult): string {
  return JSON.stringify({
    ...result,
    notApplied: result.notApplied.map((n) => {
      const text = REASONS[n.code as ReasonCode] as { zh: string; en: string } | undefined;
      if (!text || text.zh !== n.message.zh || text.en !== n.message.en) return n;
      const { message: _derived, ...rest } = n;
      return rest;
    }),
  });
}

function readResult(json: string): RedemptionResult {
  const r = JSON.parse(json) as { notApplied?: unknown };
  if (Array.isArray(r.notApplied))
    for (const n of r.notApplied as { code?: unknown; message?: unknown }[]) {
      // a code a later release no longer knows keeps its code as its text
      if (n.message === undefined && typeof n.code === 'string')
        n.message = REASONS[n.code as ReasonCode] ?? { zh: n.code, en: n.code };
    }
  return RedemptionResultSchema.parse(r);
}
