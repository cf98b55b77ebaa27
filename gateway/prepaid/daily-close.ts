import type { OutboxPort } from '../cloud/outbox-port.ts';
import { GENESIS_HASH } from '../redemption/ledger/entry-hash.ts';
import { account, type WriterPort } from '../redemption/service/ports.ts';
import type { Db } from '../store/db-type.ts';
import { type CloseFields, type CloseRow, closeHash, fieldsOf } from './close-chain.ts';
import { dayStart, localDate, nextDate } from './local-day.ts';

const DAY_MS = 86_400_000;

/**
 * 日结: per merchant and local day (gateway.timezone), the day's sales and what the box owes for them, written
 * once (UNIQUE merchant and day), chained (close-chain.ts) and sent to the cloud (`prepaid.daily_closed`
 * [CLP-4.16]) in the same transaction. `closeDue` closes every finished day not closed yet: after midnight,
 * after a restart that slept through one, or a week of them; a day is never closed before it ends.
 *
 * The figures, for the close's window [from, to):
 * - sales, grossFen, benefitsFen: redemptions captured in the window (reversed later or not): their count,
 *   their price before benefits (payable + saving) and the benefits' saving;
 * - storedValueFen: stored value captured to merchant:<id> (ledger `capture`);
 * - reversals, refundsFen: purchases reversed in the window and the stored value they gave back (`reversal`);
 * - netFen: how much merchant:<id> moved in the window, so the nets of all closed days sum to what the box owes
 *   the merchant (the liability report's owedFen) for the days closed.
 */
export class DailyClose {
  private readonly s;
  constructor(
    db: Db,
    private readonly d: { timezone: string; writer: WriterPort; outbox: OutboxPort | undefined; now(): number },
  ) {
    this.s = {
      lastDay: db.prepare<[], { day: string | null }>('SELECT MAX(day) AS day FROM daily_closes'),
      firstAt: db.prepare<[], { at: number | null }>(
        // the first entries written (by key, not a scan of the tables): where closing starts on a new database
        `SELECT MIN(at) AS at FROM (SELECT at FROM (SELECT at FROM ledger ORDER BY seq LIMIT 1)
           UNION ALL SELECT created_at FROM (SELECT created_at FROM redemptions ORDER BY rowid LIMIT 1))`,
      ),
      merchants: db.prepare<[], { id: string }>(
        `SELECT id FROM merchants UNION
         SELECT substr(account, 10) FROM balances WHERE account LIKE 'merchant:%' AND asset = 'fen' ORDER BY 1`,
      ),
      closed: db.prepare<[string, string], { n: number }>(
        'SELECT 1 AS n FROM daily_closes WHERE merchant_id = ? AND day = ?',
      ),
      lastClose: db.prepare<[], { seq: number; hash: string }>(
        'SELECT seq, hash FROM daily_closes ORDER BY seq DESC LIMIT 1',
      ),
      tip: db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1'),
      sales: db.prepare<[string, number, number, number, number], { n: number; gross: number; benefits: number }>(
        `SELECT COUNT(*) AS n, COALESCE(SUM(payable_fen + saving_fen), 0) AS gross,
           COALESCE(SUM(saving_fen), 0) AS benefits
         FROM redemptions
         WHERE merchant_id = ? AND created_at >= ? AND created_at < ? AND captured_at >= ? AND captured_at < ?
           AND state IN ('captured', 'reversed')`,
      ),
      money: db.prepare<
        [string, number, number],
        { captured: number; reversals: number; refunds: number; net: number }
      >(
        `SELECT COALESCE(SUM(CASE WHEN reason = 'capture' THEN delta END), 0) AS captured,
           COUNT(DISTINCT CASE WHEN reason = 'reversal' THEN redemption_id END) AS reversals,
           COALESCE(-SUM(CASE WHEN reason = 'reversal' THEN delta END), 0) AS refunds,
           COALESCE(SUM(delta), 0) AS net
         FROM ledger INDEXED BY ledger_merchant_at
         WHERE account = ? AND account LIKE 'merchant:%' AND at >= ? AND at < ? AND asset = 'fen'`,
      ),
      insert: db.prepare(
        `INSERT INTO daily_closes (seq, merchant_id, day, from_ms, to_ms, sales, gross_fen, benefits_fen,
           stored_value_fen, reversals, refunds_fen, net_fen, closed_at, ledger_seq, ledger_hash, prev_hash, hash)
         VALUES (@seq, @merchantId, @day, @fromMs, @toMs, @sales, @grossFen, @benefitsFen, @storedValueFen,
           @reversals, @refundsFen, @netFen, @closedAt, @ledgerSeq, @ledgerHash, @prevHash, @hash)`,
      ),
      list: db.prepare<[string, string], CloseRow>(
        'SELECT * FROM daily_closes WHERE day >= ? AND day <= ? ORDER BY day, merchant_id',
      ),
    };
  }

  /**
   * Closes every finished local day not closed yet, one day per unit of the writer (a week missed never
   * holds the writer for the whole week); the closes written, oldest first.
   */
  async closeDue(): Promise<CloseFields[]> {
    const written: CloseFields[] = [];
    let done: string | undefined;
    for (;;) {
      const after = done;
      done = await this.d.writer.submit(() => {
        const now = this.d.now();
        const due = this.firstDue(now, after);
        if (due !== undefined) written.push(...this.closeDay(due, now));
        return due;
      });
      if (done === undefined) return written;
    }
  }

  /** Every due day at once, inside the caller's transaction. */
  closeDueNow(now: number): CloseFields[] {
    const written: CloseFields[] = [];
    for (let day = this.firstDue(now); day !== undefined; day = this.firstDue(now, day))
      written.push(...this.closeDay(day, now));
    return written;
  }

  /**
   * The oldest finished local day not closed yet, if any, after `after` (a day just closed: with no merchant
   * to close it leaves no row, and must not come up again).
   */
  private firstDue(now: number, after?: string): string | undefined {
    const tz = this.d.timezone;
    const today = localDate(now, tz);
    const last = this.s.lastDay.get()?.day ?? null;
    const firstAt = last === null ? (this.s.firstAt.get()?.at ?? null) : null;
    const first = last !== null ? nextDate(last) : firstAt !== null ? localDate(firstAt, tz) : today;
    const day = after !== undefined && nextDate(after) > first ? nextDate(after) : first;
    return day < today ? day : undefined;
  }

  private closeDay(day: string, now: number): CloseFields[] {
    const tz = this.d.timezone;
    const fromMs = dayStart(day, tz);
    const toMs = dayStart(nextDate(day), tz);
    const written: CloseFields[] = [];
    for (const { id } of this.s.merchants.all()) {
      if (this.s.closed.get(id, day)) continue;
      const sales = this.s.sales.get(id, fromMs - DAY_MS, toMs, fromMs, toMs) ?? { n: 0, gross: 0, benefits: 0 };
      const money = this.s.money.get(account.merchant(id), fromMs, toMs) ?? {
        captured: 0,
        reversals: 0,
        refunds: 0,
        net: 0,
      };
      const prev = this.s.lastClose.get();
      const tip = this.s.tip.get();
      const f: CloseFields = {
        seq: (prev?.seq ?? 0) + 1,
        merchantId: id,
        day,
        fromMs,
        toMs,
        sales: sales.n,
        grossFen: sales.gross,
        benefitsFen: sales.benefits,
        storedValueFen: money.captured,
        reversals: money.reversals,
        refundsFen: money.refunds,
        netFen: money.net,
        closedAt: now,
        ledgerSeq: tip?.seq ?? 0,
        ledgerHash: tip?.hash ?? GENESIS_HASH,
      };
      const prevHash = prev?.hash ?? GENESIS_HASH;
      const hash = closeHash(prevHash, f);
      this.s.insert.run({ ...f, prevHash, hash });
      this.d.outbox?.append('money', 'prepaid.daily_closed', { ...f, prevHash, hash });
      written.push(f);
    }
    return written;
  }

  /** The closes of local days from..to (included), as stored. */
  list(fromDay: string, toDay: string): (CloseFields & { prevHash: string; hash: string })[] {
    return this.s.list.all(fromDay, toDay).map((r) => ({ ...fieldsOf(r), prevHash: r.prev_hash, hash: r.hash }));
  }
}
