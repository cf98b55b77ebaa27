import type { OutboxPort } from '../cloud/outbox-port.ts';
import type { Db } from '../store/db-type.ts';
import { memberAccounts, UnknownMemberError } from './member-export.ts';
import {
  MEMBER_COLUMNS,
  memberPseudonym,
  privacyKey,
  pseudonymiseBalances,
  pseudonymiseEntries,
  tableExists,
} from './pseudonyms.ts';
import type { RunUnit } from './retention.ts';

/** Why a member cannot be erased yet: something of theirs is still under way, or money is still theirs. */
export class ErasureRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ErasureRefusedError';
  }
}

export interface ErasureResult {
  /** What now stands for the member in the records kept (redemptions, the erasure record, the log). */
  pseudonym: string;
  at: number;
  /** Rows removed or renamed, per kind. */
  removed: Record<string, number>;
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

/**
 * Erases a member on request (PIPL art. 47): cards, access rules, visitor codes, notices, parcels and
 * group-buy orders of theirs go; money records stay with a pseudonym in place of the member (redemptions,
 * refunds, ledger entries and balances: accounts must still add up); the member's row goes last; the cloud
 * hears `member.erased` [CLP-4.13] so it erases too. Refused while money or a parcel is still theirs.
 */
export async function eraseMember(
  d: { db: Db; run: RunUnit; outbox: OutboxPort | undefined; now: () => number },
  memberId: string,
  by: string,
): Promise<ErasureResult> {
  const { db } = d;
  const key = privacyKey(db);
  const accounts = memberAccounts(db, memberId);
  // the ledger has no index by account: one scan outside the write unit, its tail again inside
  const marks = accounts.map(() => '?').join(', ');
  const entriesAfter = db.prepare<unknown[], { seq: number; account: string }>(
    `SELECT seq, account FROM ledger WHERE seq > ? AND account IN (${marks}) ORDER BY seq`,
  );
  const tipOf = () => db.prepare<[], { seq: number }>('SELECT max(seq) AS seq FROM ledger').get()?.seq ?? 0;
  const scannedTo = tipOf();
  const scanned = entriesAfter.all(0, ...accounts).filter((e) => e.seq <= scannedTo);
  return d.run(() => {
    const at = d.now();
    if (!db.prepare('SELECT 1 FROM members WHERE id = ?').get(memberId)) throw new UnknownMemberError(memberId);
    refuseWhileOpen(db, memberId);
    const removed: Record<string, number> = {};
    const count = (what: string, n: number) => {
      if (n > 0) removed[what] = (removed[what] ?? 0) + n;
    };
    const run = (sql: string, ...args: unknown[]) => db.prepare(sql).run(...args).changes;
    const pseudonym = memberPseudonym(key, memberId);

    count(
      'cardUses',
      run(
        'DELETE FROM credential_uses WHERE lookup_key IN (SELECT lookup_key FROM credentials WHERE member_id = ?)',
        memberId,
      ),
    );
    count('cards', run('DELETE FROM credentials WHERE member_id = ?', memberId));
    count('accessRules', run('DELETE FROM access_rules WHERE member_id = ?', memberId));
    count('visitorCodes', run('DELETE FROM visitor_codes WHERE host_member_id = ?', memberId));
    count('notices', run('DELETE FROM member_notices WHERE member_id = ?', memberId));
    count('parcels', run('DELETE FROM parcels WHERE member_id = ?', memberId));
    count('groupBuyOrders', run('DELETE FROM group_buy_orders WHERE member_id = ?', memberId));
    count(
      'usageCounters',
      run(
        "DELETE FROM usage_counters WHERE instr(key, '|' || ? || '|') > 0 OR substr(key, -length(?) - 1) = '|' || ?",
        memberId,
        memberId,
        memberId,
      ),
    );
    count('accessLog', run('UPDATE access_log SET subject = ? WHERE subject = ?', pseudonym, memberId));
    count(
      'accessLog',
      run('UPDATE access_log SET subject = ? WHERE subject = ?', `visitor:${pseudonym}`, `visitor:${memberId}`),
    );
    count(
      'redemptionCounters',
      run(
        `UPDATE redemption_counters SET key = replace(key, '|' || ? || '|', '|' || ? || '|')
         WHERE instr(key, '|' || ? || '|') > 0`,
        memberId,
        pseudonym,
        memberId,
      ),
    );
    for (const { table, columns } of MEMBER_COLUMNS) {
      if (!tableExists(db, table)) continue;
      for (const c of columns) count(table, run(`UPDATE ${table} SET ${c} = ? WHERE ${c} = ?`, pseudonym, memberId));
    }
    const entries = [...scanned, ...entriesAfter.all(scannedTo, ...accounts)];
    count('ledgerEntries', pseudonymiseEntries(db, key, entries));
    for (const a of accounts) count('balances', pseudonymiseBalances(db, key, a));
    // cascades to benefit instances and family proxy payment, both ways
    count('member', run('DELETE FROM members WHERE id = ?', memberId));
    db.prepare('INSERT INTO member_erasures (pseudonym, by, at, removed) VALUES (?, ?, ?, ?)').run(
      pseudonym,
      by,
      at,
      JSON.stringify(removed),
    );
    d.outbox?.append('money', 'member.erased', { memberId, at });
    return { pseudonym, at, removed };
  });
}

/** Money, a parcel or a purchase still the member's: erasing now would lose it. */
function refuseWhileOpen(db: Db, memberId: string): void {
  const wallet =
    db
      .prepare<[string], { balance: number }>("SELECT balance FROM balances WHERE account = ? AND asset = 'fen'")
      .get(`wallet:${memberId}`)?.balance ?? 0;
  if (wallet !== 0)
    throw new ErasureRefusedError(
      `member ${memberId} still holds ${yuan(wallet)} of stored value: refund it first (预付卡余额退款: ` +
        `linli prepaid refund ${memberId} --key <key>, or POST /api/v1/members/${memberId}/refund), then erase`,
    );
  const held = db
    .prepare<[string, string], { n: number }>(
      "SELECT count(*) AS n FROM redemptions WHERE state = 'held' AND (member_id = ? OR payer_id = ?)",
    )
    .get(memberId, memberId)?.n;
  if (held) throw new ErasureRefusedError(`member ${memberId} has ${held} payment(s) on hold: wait for them to end`);
  const parcel = db
    .prepare<[string], { id: string; locker_id: string }>(
      "SELECT id, locker_id FROM parcels WHERE member_id = ? AND status IN ('depositing', 'stored', 'opening') LIMIT 1",
    )
    .get(memberId);
  if (parcel)
    throw new ErasureRefusedError(
      `parcel ${parcel.id} of member ${memberId} is still in locker ${parcel.locker_id}: have it picked up first`,
    );
  const order = db
    .prepare<[string], { id: string }>(
      `SELECT g.id FROM group_buy_orders o JOIN group_buys g ON g.id = o.group_buy_id
       WHERE o.member_id = ? AND g.status IN ('forming', 'formed') LIMIT 1`,
    )
    .get(memberId);
  if (order)
    throw new ErasureRefusedError(
      `member ${memberId} has an order in group buy ${order.id}, not delivered yet: erase after it is delivered`,
    );
}
