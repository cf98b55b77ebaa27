import { createHash, createHmac } from 'node:crypto';
import type { Db } from '../../gateway/store/db.ts';

/**
 * Rows a community had when each schema version was released, written with the SQL of that version only
 * (never with today's repositories, whose columns may be newer). A fixture database of version N is the
 * fixture of N-1, migrated by migration N, plus seed N: every later migration runs over real rows.
 */
export const SEEDS: Readonly<Record<number, (db: Db) => void>> = {
  1: (db) =>
    db.exec(`
      INSERT INTO devices (id, kind, name, secret_hash, disabled, capabilities, firmware, created_at,
        secret_rotated_at, last_seen_at) VALUES
        ('vm-01', 'vending_machine', '1号楼售货机', 'scrypt$16384$8$1$c2FsdA$aGFzaA', 0, '["pay"]', '1.2.0',
          1735689600000, 1735689600000, 1735693200000),
        ('lk-01', 'parcel_locker', '北门快递柜', 'scrypt$16384$8$1$c2FsdA$aGFzaA', 0, '["parcels"]', '2.0.1',
          1735689600000, 1735689600000, NULL),
        ('dr-01', 'door_reader', '东门门禁', 'scrypt$16384$8$1$c2FsdA$aGFzaA', 0, '["access"]', NULL,
          1735689600000, 1735689600000, 1735693200000),
        ('sc-01', 'shop_scanner', '咖啡店扫码枪', 'scrypt$16384$8$1$c2FsdA$aGFzaA', 0, '["scan"]', '0.9.0',
          1735689600000, 1735689600000, 1735693200000);
      INSERT INTO staff_tokens (id, token_hash, role, label, created_at, last_used_at, revoked_at) VALUES
        ('tok-admin', 'hash-admin', 'admin', '物业前台', 1735689600000, 1735693200000, NULL),
        ('tok-view', 'hash-view', 'viewer', 'old screen', 1735689600000, NULL, 1735693200000);
      INSERT INTO device_health (device_id, status, reasons, telemetry, updated_at) VALUES
        ('vm-01', 'ok', '[]', '{"temperatureC":6.5,"rssiDbm":-61}', 1735693200000),
        ('dr-01', 'fault', '["RELAY_FAULT"]', NULL, 1735693200000);
      INSERT INTO health_history (device_id, at, status, reasons, event) VALUES
        ('vm-01', 1735693200000, 'ok', '[]', 'birth'),
        ('dr-01', 1735693200000, 'fault', '["RELAY_FAULT"]', 'state');
    `),
  2: (db) =>
    db.exec(`
      INSERT INTO members (id, tier, birthday_month, last_active_date, family_group_id, segments, updated_at) VALUES
        ('m-0001', 'gold', 3, '2025-01-01', 'fam-1', '["new-resident"]', 1735689600000),
        ('m-0002', 'silver', NULL, NULL, 'fam-1', '[]', 1735689600000),
        ('m-0003', 'regular', 12, '2024-11-30', NULL, '[]', 1735689600000);
      INSERT INTO credentials (lookup_key, member_id, type, status, last_counter, created_at) VALUES
        ('lk-uid-0001', 'm-0001', 'uid', 'active', NULL, 1735689600000),
        ('lk-sun-0002', 'm-0002', 'sun', 'active', 17, 1735689600000),
        ('lk-uid-0003', 'm-0003', 'uid', 'blocked', NULL, 1735689600000);
      INSERT INTO campaigns (id, doc, updated_at) VALUES
        ('cafe-mj-50-10', '{"id":"cafe-mj-50-10","name":{"zh":"咖啡满50减10","en":"Café 10 off 50"},' ||
          '"effect":{"type":"amount_off","thresholdFen":5000,"offFen":1000},"usage":{"type":"single_use"},' ||
          '"rules":{"merchants":["cafe-01"]},"category":"coupon","exclusive":false,"priority":0,"grants":[]}',
          1735689600000);
      INSERT INTO benefit_instances (id, campaign_id, member_id, issued_at, expires_at, uses_left, status) VALUES
        ('b-m-0001-cafe', 'cafe-mj-50-10', 'm-0001', 1735689600000, 1767225600000, 0, 'used'),
        ('b-m-0002-cafe', 'cafe-mj-50-10', 'm-0002', 1735689600000, 1767225600000, 1, 'active');
      INSERT INTO family_proxies (member_id, payer_id, per_txn_fen, per_day_fen, per_month_fen) VALUES
        ('m-0002', 'm-0001', 5000, 10000, 100000);
      INSERT INTO merchants (id, name) VALUES ('cafe-01', '楼下咖啡'), ('mart-01', '邻里超市');
    `),
  3: (db) =>
    db.exec(`
      INSERT INTO redemptions (id, txn_id, fingerprint, device_id, merchant_id, member_id, payer_id, state,
        created_at, hold_expires_at, captured_at, closed_at, payable_fen, saving_fen, points_cost, points_earned,
        result) VALUES
        ('r-1', 'sc-01-t-1', 'fp-1', 'sc-01', 'cafe-01', 'm-0001', 'm-0001', 'captured', 1735693200000, NULL,
          1735693200000, NULL, 5800, 1000, 0, 58,
          '{"redemptionId":"r-1","txnId":"sc-01-t-1","status":"approved","state":"captured","subtotalFen":6800,' ||
          '"savingFen":1000,"payableFen":5800,"paidBy":"own","pointsCost":0,"pointsEarned":58,"applied":[' ||
          '{"campaignId":"cafe-mj-50-10","instanceId":"b-m-0001-cafe","name":{"zh":"咖啡满50减10",' ||
          '"en":"Café 10 off 50"},"savingFen":1000}],"notApplied":[]}'),
        ('r-2', 'vm-01-t-1', 'fp-2', 'vm-01', 'mart-01', 'm-0002', 'm-0001', 'reversed', 1735696800000, NULL,
          1735696800000, 1735700400000, 300, 0, 0, 3,
          '{"redemptionId":"r-2","txnId":"vm-01-t-1","status":"approved","state":"captured","subtotalFen":300,' ||
          '"savingFen":0,"payableFen":300,"paidBy":"proxy","pointsCost":0,"pointsEarned":3,' ||
          '"applied":[],"notApplied":[]}'),
        ('r-3', 'vm-01-t-2', 'fp-3', 'vm-01', 'mart-01', 'm-0003', NULL, 'declined', 1735700400000, NULL,
          NULL, NULL, 0, 0, 0, 0, '{"redemptionId":"r-3","txnId":"vm-01-t-2","status":"declined","state":"declined",' ||
          '"declineCode":"INSUFFICIENT_FUNDS","subtotalFen":500,"savingFen":0,"payableFen":500,"paidBy":"none",' ||
          '"pointsCost":0,"pointsEarned":0,"applied":[],"notApplied":[]}');
      INSERT INTO usage_counters (key, count, amount_fen) VALUES
        ('member:m-0001:cafe-mj-50-10', 1, 1000), ('proxy:m-0001:day:2025-01-01', 0, 0);
      INSERT INTO redemption_counters (redemption_id, key, count, amount_fen) VALUES
        ('r-1', 'member:m-0001:cafe-mj-50-10', 1, 1000);
      INSERT INTO redemption_benefits (redemption_id, campaign_id, instance_id, saving_fen) VALUES
        ('r-1', 'cafe-mj-50-10', 'b-m-0001-cafe', 1000);
    `),
  4: (db) => seedLedger(db),
  6: (db) =>
    db.exec(`
      INSERT INTO parcels (id, txn_id, locker_id, compartment, member_id, tracking, size, group_buy_id, status,
        code_hash, code_expires_at, created_at, stored_at, picked_up_at, pickup_txn) VALUES
        ('p-1', 'lk-01-t-1', 'lk-01', 'A03', 'm-0001', 'SF1234567890', 'M', NULL, 'stored', 'code-h-1',
          1736298000000, 1735693200000, 1735693200000, NULL, NULL),
        ('p-2', 'lk-01-t-2', 'lk-01', 'B01', 'm-0002', 'YT0987654321', 'S', 'gb-1', 'picked_up', NULL, NULL,
          1735693200000, 1735693200000, 1735700400000, 'lk-01-t-3');
      INSERT INTO member_notices (member_id, kind, payload, created_at) VALUES
        ('m-0001', 'parcel.stored', '{"parcelId":"p-1","compartment":"A03"}', 1735693200000);
      INSERT INTO group_buys (id, title, target_qty, status, closes_at, created_at, formed_at) VALUES
        ('gb-1', '周末水果拼团', 2, 'formed', 1735776000000, 1735689600000, 1735693200000);
      INSERT INTO group_buy_orders (group_buy_id, member_id, qty, joined_at, parcel_id) VALUES
        ('gb-1', 'm-0001', 1, 1735689600000, NULL), ('gb-1', 'm-0002', 1, 1735689600000, 'p-2');
      INSERT INTO access_points (device_id, door, zone) VALUES ('dr-01', 'main', 'east-gate');
      INSERT INTO access_rules (id, member_id, tier, zone, weekdays, from_min, to_min, valid_until) VALUES
        ('rule-staff', NULL, 'staff', '*', '1234567', 0, 1440, NULL),
        ('rule-m1', 'm-0001', NULL, 'east-gate', '12345', 360, 1380, 1767225600000);
      INSERT INTO visitor_codes (code_hash, zone, host_member_id, label, valid_from, expires_at, uses_left,
        created_at) VALUES ('visit-h-1', 'east-gate', 'm-0001', '维修师傅', 1735689600000, 1735776000000, 2,
        1735689600000);
      INSERT INTO activity_events (id, name, device_id, points, starts_at, ends_at) VALUES
        ('act-1', '垃圾分类宣传', 'dr-01', 20, 1735689600000, 1735776000000);
      INSERT INTO access_log (at, device_id, door, zone, subject, method, decision, reason, txn_id) VALUES
        (1735693200000, 'dr-01', 'main', 'east-gate', 'm-0001', 'card', 'granted', 'RULE', 'dr-01-t-1'),
        (1735693260000, 'dr-01', 'main', 'east-gate', NULL, 'card', 'denied', 'UNKNOWN_CARD', 'dr-01-t-2');
    `),
  8: (db) =>
    db.exec(`INSERT INTO coupon_codes (code_hash, instance_id, created_at)
      VALUES ('coupon-h-1', 'b-m-0002-cafe', 1735689600000);`),
  9: (db) =>
    db.exec(`
      INSERT INTO outbox (stream, stream_seq, event_id, kind, at, payload, bytes) VALUES
        ('redemptions', 3, 'gw-fixture:redemptions:3', 'redemption.reversed', 1735700400000,
          '{"redemptionId":"r-2"}', 22);
      INSERT INTO outbox_streams (stream, next_seq, acked_seq, dropped) VALUES
        ('redemptions', 4, 2, 0), ('health', 8, 7, 0);
      INSERT INTO cloud_session (id, session) VALUES (1, 5);
    `),
  10: (db) =>
    db.exec(`
      INSERT INTO cloud_docs (doc, version, issued_at, applied_at) VALUES ('campaigns', 7, 1735689000000,
        1735689600000);
      INSERT INTO hotlist (lookup_key, added_at) VALUES ('lk-uid-0003', 1735689600000);
    `),
  11: (db) =>
    db.exec(`
      INSERT INTO rollouts (id, text, kinds, duration_s, created_at) VALUES
        ('ro-1', '会员日8折', '["vending_machine"]', 3600, 1735689600000);
      INSERT INTO rollout_targets (rollout_id, device_id, status, attempts, last_error, updated_at) VALUES
        ('ro-1', 'vm-01', 'delivered', 1, NULL, 1735689600000);
    `),
  12: (db) => db.exec(`UPDATE cloud_docs SET body = '{"lockers":{"overdueH":48}}' WHERE doc = 'campaigns';`),
  13: (db) =>
    db.exec(`
      UPDATE cloud_session SET epoch = 'a1b2c3d4e5f6' WHERE id = 1;
      INSERT INTO clock_marks (id, wall) VALUES (1, 1735700400000);
    `),
  15: (db) =>
    db.exec(`INSERT INTO request_answers (device_id, txn_id, op, request_hash, answer, at) VALUES
      ('dr-01', 'dr-01-t-1', 'access', 'USAT6aVtBZC_PWFCcRTH0lZoL01jEXN5K5vvD1eKXm8',
        '{"status":"ok","op":"access","decision":"approved"}', 1735693200000);`),
  19: (db) =>
    db.exec(`INSERT INTO alerts (key, device_id, code, severity, message, raised_at, last_seen_at, acked_at, acked_by,
      ack_note, cleared_at, cleared_by) VALUES
      ('device:dr-01:RELAY_FAULT', 'dr-01', 'RELAY_FAULT', 'critical', 'relay fault', 1735693200000,
        1735693200000, 1735693300000, 'tok-admin', '已派维修', NULL, NULL);`),
  20: (db) =>
    db.exec(`INSERT INTO login_links (code_hash, role, label, merchant_id, created_at, expires_at, used_at)
      VALUES ('link-h-1', 'viewer', 'screen', NULL, 1735689600000, 1735690500000, 1735689700000);`),
  21: (db) =>
    db.exec(`INSERT INTO telemetry_samples (device_id, at, temperature_c, rssi_dbm) VALUES
      ('vm-01', 1735693200000, 6.5, -61), ('vm-01', 1735694100000, 7.0, -60);`),
  23: (db) => db.exec(`UPDATE redemptions SET reversal_note = '顾客退货' WHERE id = 'r-2';`),
  // the retention sweep's traces: a day's door counts, its progress, a member's points entry under its pseudonym
  // (HMAC of the account with the database's key, as released with version 24); an erasure's record
  24: (db) => {
    db.exec(`
      INSERT INTO access_log_daily (day, device_id, door, zone, decision, count) VALUES
        ('2024-06-30', 'dr-01', 'main', 'east', 'granted', 41), ('2024-06-30', 'dr-01', 'main', 'east', 'denied', 2);
      INSERT INTO privacy_progress (job, upto) VALUES ('ledger', 3), ('redemptions', 0);
      INSERT INTO member_erasures (pseudonym, by, at, removed) VALUES
        ('pseudo:5b0c2a4e7f1d3c6b9a8e2f4d1c7b3a95', '物业前台 (tok-admin)', 1735693200000, '{"cards":1,"member":1}');
    `);
    const key = (db.prepare('SELECT ledger_key FROM privacy_keys WHERE id = 1').get() as { ledger_key: Buffer })
      .ledger_key;
    const row = db.prepare("SELECT seq FROM ledger WHERE account = 'points:m-0001' ORDER BY seq LIMIT 1").get() as {
      seq: number;
    };
    const pseudonym = `pseudo:${createHmac('sha256', key).update('points:m-0001').digest('hex')}`;
    db.prepare('UPDATE ledger SET account = ? WHERE seq = ?').run(pseudonym, row.seq);
  },
  27: (db) =>
    db.exec(`INSERT INTO ledger_anchors (seq, hash, at, epoch)
      SELECT seq, hash, at, 'a1b2c3d4e5f6' FROM ledger ORDER BY seq DESC LIMIT 1;`),
};

/** The ledger of the redemptions above: an opening top-up, r-1's capture, r-2 captured then reversed. */
function seedLedger(db: Db): void {
  const at = 1735693200000;
  const moves: [txn: string, red: string, account: string, asset: string, delta: number, reason: string][] = [
    ['open-m-0001', 'open:m-0001', 'issuer:stored-value', 'fen', -20000, 'topup'],
    ['open-m-0001', 'open:m-0001', 'wallet:m-0001', 'fen', 20000, 'topup'],
    ['open-m-0001', 'open:m-0001', 'issuer:uses', 'uses', -2, 'topup'],
    ['open-m-0001', 'open:m-0001', 'uses:b-m-0001-cafe', 'uses', 1, 'topup'],
    ['open-m-0001', 'open:m-0001', 'uses:b-m-0002-cafe', 'uses', 1, 'topup'],
    ['sc-01-t-1', 'r-1', 'wallet:m-0001', 'fen', -5800, 'capture'],
    ['sc-01-t-1', 'r-1', 'merchant:cafe-01', 'fen', 5800, 'capture'],
    ['sc-01-t-1', 'r-1', 'issuer:points', 'points', -58, 'accrual'],
    ['sc-01-t-1', 'r-1', 'points:m-0001', 'points', 58, 'accrual'],
    ['sc-01-t-1', 'r-1', 'uses:b-m-0001-cafe', 'uses', -1, 'capture'],
    ['sc-01-t-1', 'r-1', 'issuer:uses', 'uses', 1, 'capture'],
    ['vm-01-t-1', 'r-2', 'wallet:m-0001', 'fen', -300, 'capture'],
    ['vm-01-t-1', 'r-2', 'merchant:mart-01', 'fen', 300, 'capture'],
    ['vm-01-t-1', 'r-2', 'merchant:mart-01', 'fen', -300, 'reversal'],
    ['vm-01-t-1', 'r-2', 'wallet:m-0001', 'fen', 300, 'reversal'],
  ];
  const insert = db.prepare(
    'INSERT INTO ledger (seq, at, txn_id, redemption_id, account, asset, delta, reason, prev_hash, hash) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const balance = db.prepare(
    'INSERT INTO balances (account, asset, balance) VALUES (?, ?, ?) ' +
      'ON CONFLICT (account, asset) DO UPDATE SET balance = balance + excluded.balance',
  );
  let prev = '0'.repeat(64);
  moves.forEach(([txnId, redemptionId, account, asset, delta, reason], i) => {
    const seq = i + 1;
    const hash = entryHash(prev, { seq, at, txnId, redemptionId, account, asset, delta, reason });
    insert.run(seq, at, txnId, redemptionId, account, asset, delta, reason, prev, hash);
    balance.run(account, asset, delta);
    prev = hash;
  });
}

/**
 * The entry hash as released with version 4 (gateway/redemption/ledger/entry-hash.ts then), copied so that a
 * later change of the chain's hash is tested against the hashes old databases really hold.
 */
function entryHash(
  prevHash: string,
  f: {
    seq: number;
    at: number;
    txnId: string;
    redemptionId: string;
    account: string;
    asset: string;
    delta: number;
    reason: string;
  },
): string {
  const h = createHash('sha256');
  h.update(prevHash);
  for (const v of [f.seq, f.at, f.txnId, f.redemptionId, f.account, f.asset, f.delta, f.reason]) {
    const s = String(v);
    h.update(`${Buffer.byteLength(s)}:${s}`);
  }
  return h.digest('hex');
}
