import type { Logger } from '../core/log.ts';
import type { Db } from '../store/db-type.ts';
import type { PrivacyConfig } from './privacy-config.ts';
import { memberPseudonym, PERSONAL_ACCOUNT, privacyKey, pseudonymiseEntries } from './pseudonyms.ts';

/** Runs `work` as one write unit (the gateway's writer, or a transaction of its own in the CLI). */
export type RunUnit = <T>(work: () => T) => Promise<T>;

export interface RetentionResult {
  /** Access log rows counted into access_log_daily and deleted. */
  accessRows: number;
  /** Redemptions whose member (and payer) became a pseudonym. */
  redemptions: number;
  /** Ledger entries whose resident's account became a pseudonym. */
  ledgerEntries: number;
}

const DAY_MS = 86_400_000;
/** The community's calendar day of a time (Asia/Shanghai, UTC+8 all year): what staff call "that day". */
const shanghaiDay = (at: number) => new Date(at + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * The retention sweep (PIPL art. 19): detail past its period is aggregated or pseudonymised, in small write
 * units of `batchRows` rows each, so no device waits behind it. Money records stay: redemptions keep their
 * amounts, shop and time (reports and rollups do not read the member's id except to group by it, and one
 * member's pseudonym is the same in every row); ledger entries keep their hashes (account-digest.ts).
 */
export class Retention {
  private running: Promise<RetentionResult> | undefined;

  constructor(private readonly d: { db: Db; run: RunUnit; now: () => number; log: Logger; config: PrivacyConfig }) {}

  /** One sweep to the end of what is due; a sweep asked for while one runs joins it. */
  sweep(): Promise<RetentionResult> {
    this.running ??= this.sweepOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweepOnce(): Promise<RetentionResult> {
    const { config, now } = this.d;
    const key = privacyKey(this.d.db);
    const t = now();
    const result: RetentionResult = { accessRows: 0, redemptions: 0, ledgerEntries: 0 };
    for (let n = -1; n !== 0; ) {
      n = await this.d.run(() => this.accessBatch(t - config.accessLogDays * DAY_MS));
      result.accessRows += n;
    }
    const detailCutoff = t - config.redemptionDetailDays * DAY_MS;
    for (let n = -1; n !== 0; ) {
      n = await this.d.run(() => this.redemptionBatch(key, detailCutoff));
      result.redemptions += Math.max(n, 0);
      if (n < 0) n = 1; // a page of rows already pseudonymised: go on
    }
    for (let n = -1; n !== 0; ) {
      n = await this.d.run(() => this.ledgerBatch(key, detailCutoff));
      result.ledgerEntries += Math.max(n, 0);
      if (n < 0) n = 1;
    }
    if (result.accessRows + result.redemptions + result.ledgerEntries > 0)
      this.d.log.info(result, 'retention: personal detail past its period aggregated or pseudonymised');
    return result;
  }

  /** Counts a batch of old access decisions per door, day and decision, and deletes them. */
  private accessBatch(cutoff: number): number {
    const { db, config } = this.d;
    const rows = db
      .prepare<
        [number, number],
        { id: number; at: number; device_id: string; door: string; zone: string; decision: string }
      >('SELECT id, at, device_id, door, zone, decision FROM access_log WHERE at < ? ORDER BY at LIMIT ?')
      .all(cutoff, config.batchRows);
    const add = db.prepare(
      `INSERT INTO access_log_daily (day, device_id, door, zone, decision, count) VALUES (?, ?, ?, ?, ?, 1)
       ON CONFLICT (day, device_id, door, zone, decision) DO UPDATE SET count = count + 1`,
    );
    const del = db.prepare('DELETE FROM access_log WHERE id = ?');
    for (const r of rows) {
      add.run(shanghaiDay(r.at), r.device_id, r.door, r.zone, r.decision);
      del.run(r.id);
    }
    return rows.length;
  }

  /**
   * A page of redemptions in insertion order (rowid) from where the last one stopped: each older than the
   * cutoff gets its member's pseudonym. Stops at the first one inside the period (or still held): rows come
   * in time order, so everything after it is younger. 0 when done, -1 for a page with nothing to rename.
   */
  private redemptionBatch(key: Buffer, cutoff: number): number {
    const { db, config } = this.d;
    const from = this.progress('redemptions');
    const rows = db
      .prepare<
        [number, number],
        { rowid: number; id: string; member_id: string; payer_id: string | null; created_at: number; state: string }
      >(
        `SELECT rowid, id, member_id, payer_id, created_at, state FROM redemptions WHERE rowid > ?
         ORDER BY rowid LIMIT ?`,
      )
      .all(from, config.batchRows);
    let upto = from;
    let renamed = 0;
    const set = db.prepare('UPDATE redemptions SET member_id = ?, payer_id = ? WHERE id = ?');
    const counters = db.prepare(
      "UPDATE redemption_counters SET key = replace(key, '|' || ? || '|', '|' || ? || '|') WHERE redemption_id = ?",
    );
    for (const r of rows) {
      if (r.created_at >= cutoff || r.state === 'held') break;
      upto = r.rowid;
      if (r.member_id.startsWith('pseudo:')) continue;
      const member = memberPseudonym(key, r.member_id);
      set.run(member, r.payer_id === null ? null : memberPseudonym(key, r.payer_id), r.id);
      counters.run(r.member_id, member, r.id);
      if (r.payer_id !== null && r.payer_id !== r.member_id)
        counters.run(r.payer_id, memberPseudonym(key, r.payer_id), r.id);
      renamed += 1;
    }
    if (upto === from) return 0;
    this.setProgress('redemptions', upto);
    return renamed > 0 ? renamed : -1;
  }

  /** The same walk over the ledger by seq: residents' accounts in entries older than the cutoff. */
  private ledgerBatch(key: Buffer, cutoff: number): number {
    const { db, config } = this.d;
    const from = this.progress('ledger');
    const rows = db
      .prepare<[number, number], { seq: number; at: number; account: string }>(
        'SELECT seq, at, account FROM ledger WHERE seq > ? ORDER BY seq LIMIT ?',
      )
      .all(from, config.batchRows);
    const due: { seq: number; account: string }[] = [];
    let upto = from;
    for (const r of rows) {
      if (r.at >= cutoff) break;
      upto = r.seq;
      if (PERSONAL_ACCOUNT.test(r.account)) due.push(r);
    }
    if (upto === from) return 0;
    const n = pseudonymiseEntries(db, key, due);
    this.setProgress('ledger', upto);
    return n > 0 ? n : -1;
  }

  private progress(job: string): number {
    return (
      this.d.db.prepare<[string], { upto: number }>('SELECT upto FROM privacy_progress WHERE job = ?').get(job)?.upto ??
      0
    );
  }

  private setProgress(job: string, upto: number): void {
    this.d.db
      .prepare(
        'INSERT INTO privacy_progress (job, upto) VALUES (?, ?) ON CONFLICT (job) DO UPDATE SET upto = excluded.upto',
      )
      .run(job, upto);
  }
}
