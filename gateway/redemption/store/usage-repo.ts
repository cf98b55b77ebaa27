import type { Db } from '../../store/db-type.ts';

/** Counters keyed by strings like "m|m-1|campaign|2026-W47"; every change is recorded per redemption. */
export class UsageRepo {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      get: db.prepare<[string], { count: number; amount_fen: number }>(
        'SELECT count, amount_fen FROM usage_counters WHERE key = ?',
      ),
      bump: db.prepare(
        `INSERT INTO usage_counters (key, count, amount_fen) VALUES (@key, @count, @amount)
         ON CONFLICT(key) DO UPDATE SET count = count + @count, amount_fen = amount_fen + @amount`,
      ),
      // a separate UPDATE: an upsert would check the negative candidate row before finding the conflict
      unbump: db.prepare(
        'UPDATE usage_counters SET count = count - @count, amount_fen = amount_fen - @amount WHERE key = @key',
      ),
      record: db.prepare('INSERT INTO redemption_counters (redemption_id, key, count, amount_fen) VALUES (?, ?, ?, ?)'),
      recorded: db.prepare<[string], { key: string; count: number; amount_fen: number }>(
        'SELECT key, count, amount_fen FROM redemption_counters WHERE redemption_id = ?',
      ),
      lastUse: db.prepare<[string, string], { at: number | null }>(
        `SELECT MAX(r.created_at) AS at
         FROM redemption_benefits b JOIN redemptions r ON r.id = b.redemption_id
         WHERE r.member_id = ? AND b.campaign_id = ? AND r.state IN ('held', 'captured')`,
      ),
    };
  }

  get(key: string): { count: number; amountFen: number } {
    const r = this.s.get.get(key);
    return { count: r?.count ?? 0, amountFen: r?.amount_fen ?? 0 };
  }

  /** Adds to a counter on behalf of a redemption (recorded, so it can be taken back exactly). */
  add(redemptionId: string, key: string, count: number, amountFen: number): void {
    this.s.bump.run({ key, count, amount: amountFen });
    this.s.record.run(redemptionId, key, count, amountFen);
  }

  /** Adds to a counter that belongs to no redemption (an idempotency marker, for example). */
  bump(key: string, count: number, amountFen: number): void {
    this.s.bump.run({ key, count, amount: amountFen });
  }

  /** Takes from a counter that belongs to no redemption (never below what it holds). */
  take(key: string, count: number, amountFen: number): void {
    this.s.unbump.run({ key, count, amount: amountFen });
  }

  /** Takes back everything a redemption added (void, expiry, reversal). */
  undo(redemptionId: string): void {
    for (const r of this.s.recorded.all(redemptionId))
      this.s.unbump.run({ key: r.key, count: r.count, amount: r.amount_fen });
  }

  /** When the member last used each of `campaignIds`, counting only redemptions that still stand. */
  lastUses(memberId: string, campaignIds: readonly string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const id of campaignIds) {
      const at = this.s.lastUse.get(memberId, id)?.at;
      if (at !== null && at !== undefined) out[id] = at;
    }
    return out;
  }
}
