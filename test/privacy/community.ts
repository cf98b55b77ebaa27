import { SqliteLedger } from '../../gateway/redemption/ledger/sqlite-ledger.ts';
import type { Db } from '../../gateway/store/db-type.ts';

export const DAY = 86_400_000;
/** A visitor code's keyed hash as the gateway stores it (64 hex digits); the API names the code by its first 12. */
export const VISITOR_CODE_HASH = 'ab12cd34ef56'.padEnd(64, '7');
/** "Now" of the privacy tests: 2026-12-01 12:00 UTC. */
export const NOW = Date.UTC(2026, 11, 1, 12);

/**
 * A small community written the way the gateway writes it (rows by SQL, money through the real ledger):
 * members m-1 (wallet ¥50 left, cards, a coupon) and m-2 (wallet spent to 0), a year and a half of
 * captured redemptions for both, access decisions, a picked-up parcel, a delivered group buy, a notice, and a
 * visitor code whose label holds a name and a phone.
 */
export function seedCommunity(db: Db): SqliteLedger {
  const ledger = new SqliteLedger(db);
  db.exec(`
    INSERT INTO members (id, tier, birthday_month, segments, updated_at) VALUES
      ('m-1', 'gold', 3, '["new-resident"]', 0), ('m-2', 'regular', NULL, '[]', 0);
    INSERT INTO merchants (id, name) VALUES ('cafe-01', '楼下咖啡');
    INSERT INTO campaigns (id, doc, updated_at) VALUES ('c-1', '{}', 0);
    INSERT INTO credentials (lookup_key, member_id, type, status, created_at) VALUES
      ('lk-secret-1', 'm-1', 'uid', 'active', 0), ('lk-secret-2', 'm-2', 'uid', 'active', 0);
    INSERT INTO benefit_instances (id, campaign_id, member_id, issued_at, uses_left, status) VALUES
      ('b-1', 'c-1', 'm-1', 0, 1, 'active');
    INSERT INTO visitor_codes (code_hash, zone, host_member_id, label, valid_from, expires_at, created_at) VALUES
      ('${VISITOR_CODE_HASH}', 'east', 'm-1', '张三 13812341234', 0, ${NOW + DAY}, 0);
    INSERT INTO group_buys (id, title, target_qty, status, created_at) VALUES ('gb-1', '车厘子', 2, 'delivered', 0);
    INSERT INTO group_buy_orders (group_buy_id, member_id, qty, joined_at) VALUES ('gb-1', 'm-1', 1, 0);
    INSERT INTO parcels (id, txn_id, locker_id, compartment, member_id, tracking, size, status, created_at)
      VALUES ('p-1', 't-p-1', 'lk-01', 'A1', 'm-1', 'SF1234567890', 'S', 'picked_up', 0);
    INSERT INTO member_notices (member_id, kind, payload, created_at) VALUES ('m-1', 'parcel', '{}', 0);
  `);
  const unit = (entries: Parameters<SqliteLedger['append']>[0]) => db.transaction(() => ledger.append(entries))();
  const start = NOW - 540 * DAY;
  for (const m of ['m-1', 'm-2'])
    unit([
      {
        at: start,
        txnId: `top-${m}`,
        redemptionId: `top-${m}`,
        account: 'issuer:stored-value',
        asset: 'fen',
        delta: -30000,
        reason: 'topup',
      },
      {
        at: start,
        txnId: `top-${m}`,
        redemptionId: `top-${m}`,
        account: `wallet:${m}`,
        asset: 'fen',
        delta: 30000,
        reason: 'topup',
      },
    ]);
  const insert = db.prepare(
    `INSERT INTO redemptions (id, txn_id, fingerprint, device_id, merchant_id, member_id, payer_id, state, created_at,
       captured_at, payable_fen, saving_fen, points_cost, points_earned, result)
     VALUES (?, ?, 'fp', 'sc-01', 'cafe-01', ?, ?, 'captured', ?, ?, ?, 100, 0, 0, '{}')`,
  );
  // every 30 days for 540 days, both members: half of it past a 365-day period
  for (let i = 0; i < 18; i++) {
    const at = start + i * 30 * DAY + 3_600_000;
    for (const m of ['m-1', 'm-2']) {
      const id = `r-${m}-${i}`;
      const fen = m === 'm-1' ? 1000 : 30000 / 18;
      const payable = Math.floor(fen);
      db.transaction(() => {
        insert.run(id, `t-${id}`, m, m, at, at, payable);
        db.prepare(
          'INSERT INTO redemption_counters (redemption_id, key, count, amount_fen) ' +
            "VALUES (?, 'm|' || ? || '|c-1|x', 1, 0)",
        ).run(id, m);
        ledger.append([
          {
            at,
            txnId: `t-${id}`,
            redemptionId: id,
            account: `wallet:${m}`,
            asset: 'fen',
            delta: -payable,
            reason: 'capture',
          },
          {
            at,
            txnId: `t-${id}`,
            redemptionId: id,
            account: 'merchant:cafe-01',
            asset: 'fen',
            delta: payable,
            reason: 'capture',
          },
        ]);
      })();
    }
  }
  // m-2 spends the rest, to exactly 0
  const left = ledger.balance('wallet:m-2', 'fen');
  if (left > 0)
    unit([
      {
        at: NOW - DAY,
        txnId: 't-rest',
        redemptionId: 'r-rest',
        account: 'wallet:m-2',
        asset: 'fen',
        delta: -left,
        reason: 'capture',
      },
      {
        at: NOW - DAY,
        txnId: 't-rest',
        redemptionId: 'r-rest',
        account: 'merchant:cafe-01',
        asset: 'fen',
        delta: left,
        reason: 'capture',
      },
    ]);
  const log = db.prepare(
    `INSERT INTO access_log (at, device_id, door, zone, subject, method, decision, reason)
     VALUES (?, 'dr-01', ?, 'east', ?, 'card', ?, 'RULE:r1')`,
  );
  // one decision a day for 300 days, on two doors
  for (let d = 0; d < 300; d++)
    log.run(
      NOW - d * DAY - 3_600_000,
      d % 2 === 0 ? 'main' : 'side',
      d % 3 === 0 ? 'visitor:m-1' : 'm-1',
      d % 5 ? 'granted' : 'denied',
    );
  return ledger;
}
