import * as z from 'zod';
import type { ReadDb } from '../store/db-type.ts';
import { tableExists } from './pseudonyms.ts';

const Row = z.record(z.string(), z.unknown());

/**
 * A member's data as this box holds it (PIPL art. 45: a copy on request), as JSON. Card secrets and lookup
 * keys, pickup and visitor codes' hashes are left out: they open doors and pay, and say nothing about the
 * person. Balances and movements are the member's own ledger accounts (wallet, points, benefit uses).
 */
export const MemberExportSchema = z
  .object({
    memberId: z.string(),
    exportedAt: z.iso.datetime(),
    member: Row,
    cards: z.array(z.object({ type: z.string(), status: z.string(), createdAt: z.number() }).strict()),
    benefits: z.array(Row),
    familyProxies: z.array(Row),
    balances: z.array(z.object({ account: z.string(), asset: z.string(), balance: z.number() }).strict()),
    movements: z.array(Row),
    redemptions: z.array(Row),
    accessLog: z.array(Row),
    accessRules: z.array(Row),
    visitorCodes: z.array(Row),
    parcels: z.array(Row),
    groupBuyOrders: z.array(Row),
    notices: z.array(Row),
    prepaidRefunds: z.array(Row),
  })
  .strict();
export type MemberExport = z.infer<typeof MemberExportSchema>;

/** The member's ledger accounts: wallet, points, and the uses of each benefit issued to them. */
export function memberAccounts(db: Pick<ReadDb, 'prepare'>, memberId: string): string[] {
  const instances = db
    .prepare<[string], { id: string }>('SELECT id FROM benefit_instances WHERE member_id = ?')
    .all(memberId)
    .map((r) => `uses:${r.id}`);
  return [`wallet:${memberId}`, `points:${memberId}`, ...instances];
}

export class UnknownMemberError extends Error {
  constructor(readonly memberId: string) {
    super(`no member ${memberId} on this gateway`);
    this.name = 'UnknownMemberError';
  }
}

/** Reads everything about one member (a read: the gateway's writer is not involved). */
export function exportMember(db: Pick<ReadDb, 'prepare'>, memberId: string, now: number): MemberExport {
  const member = db.prepare<[string], Record<string, unknown>>('SELECT * FROM members WHERE id = ?').get(memberId);
  if (!member) throw new UnknownMemberError(memberId);
  const all = (sql: string, ...args: unknown[]) => db.prepare(sql).all(...args) as Record<string, unknown>[];
  const accounts = memberAccounts(db, memberId);
  const marks = accounts.map(() => '?').join(', ');
  const parsedSegments = (() => {
    try {
      return JSON.parse(String(member.segments)) as unknown;
    } catch {
      return member.segments;
    }
  })();
  return {
    memberId,
    exportedAt: new Date(now).toISOString(),
    member: { ...member, segments: parsedSegments },
    cards: db
      .prepare<[string], { type: string; status: string; created_at: number }>(
        'SELECT type, status, created_at FROM credentials WHERE member_id = ? ORDER BY created_at',
      )
      .all(memberId)
      .map((c) => ({ type: c.type, status: c.status, createdAt: c.created_at })),
    benefits: all('SELECT * FROM benefit_instances WHERE member_id = ? ORDER BY issued_at', memberId),
    familyProxies: all('SELECT * FROM family_proxies WHERE member_id = ? OR payer_id = ?', memberId, memberId),
    balances: db
      .prepare(`SELECT account, asset, balance FROM balances WHERE account IN (${marks}) ORDER BY account, asset`)
      .all(...accounts) as MemberExport['balances'],
    // no index by account (migration 17): one scan, fine for a request a resident makes now and then
    movements: all(
      `SELECT seq, at, redemption_id AS redemptionId, account, asset, delta, reason FROM ledger
       WHERE account IN (${marks}) ORDER BY seq`,
      ...accounts,
    ),
    redemptions: all(
      `SELECT id, created_at, merchant_id, device_id, member_id, payer_id, state, payable_fen, saving_fen,
         points_cost, points_earned FROM redemptions WHERE member_id = ? OR payer_id = ? ORDER BY created_at`,
      memberId,
      memberId,
    ),
    accessLog: all(
      `SELECT at, device_id, door, zone, subject, method, decision, reason FROM access_log
       WHERE subject IN (?, ?) ORDER BY at`,
      memberId,
      `visitor:${memberId}`,
    ),
    accessRules: all('SELECT * FROM access_rules WHERE member_id = ?', memberId),
    visitorCodes: all(
      `SELECT substr(code_hash, 1, 12) AS id, zone, label, valid_from, expires_at, uses_left, created_at
       FROM visitor_codes WHERE host_member_id = ? ORDER BY created_at`,
      memberId,
    ),
    parcels: all(
      `SELECT id, locker_id, compartment, tracking, size, group_buy_id, status, created_at, stored_at, picked_up_at
       FROM parcels WHERE member_id = ? ORDER BY created_at`,
      memberId,
    ),
    groupBuyOrders: all(
      `SELECT o.group_buy_id, g.title, o.qty, o.joined_at, o.parcel_id, g.status FROM group_buy_orders o
       JOIN group_buys g ON g.id = o.group_buy_id WHERE o.member_id = ? ORDER BY o.joined_at`,
      memberId,
    ),
    notices: all('SELECT kind, payload, created_at FROM member_notices WHERE member_id = ? ORDER BY id', memberId),
    prepaidRefunds: tableExists(db, 'prepaid_refunds')
      ? all('SELECT * FROM prepaid_refunds WHERE member_id = ?', memberId)
      : [],
  };
}
