import { OP_KINDS } from '../../firmware-protocol/src/messages/redemption.ts';
import * as z from 'zod';
import type { ReadDb } from '../store/db-type.ts';

/**
 * Why a benefit was left out, counted when it tells something: a benefit the member holds (a coupon, a
 * period or punch card: issued to them) or a threshold, minimum spend or points balance just missed.
 * Offers that were never for this purchase (another tier, another day, another shop, not their birthday)
 * would count on every purchase and drown the rest.
 */
const HELD_USAGES = "('single_use', 'period_card', 'punch_card')";
const NEAR_MISSES = "('THRESHOLD_NOT_MET', 'MIN_SPEND_NOT_MET', 'NOT_ENOUGH_POINTS')";
/** A café coupon not applying at a vending machine is no news either. */
const ELSEWHERE = "('MERCHANT_NOT_IN_SCOPE', 'DEVICE_NOT_IN_SCOPE', 'DEVICE_KIND_NOT_IN_SCOPE')";

export const ActivitySchema = z.object({
  since: z.string().describe('ISO 8601: the figures count from here'),
  purchases: z.object({
    approved: z.number().int(),
    withDiscount: z.number().int(),
    savedFen: z.number().int().describe('benefits on captured purchases'),
    paidFen: z.number().int(),
    pointsEarned: z.number().int(),
    declined: z.number().int(),
    declinedBy: z.record(z.string(), z.number().int()).describe('decline code → count'),
  }),
  benefits: z.object({
    applied: z.record(z.string(), z.number().int()).describe('campaign id → times applied'),
    notApplied: z
      .record(z.string(), z.number().int())
      .describe(
        'reason code → count: benefits the member holds (coupons, period and punch cards) left out, ' +
          'and thresholds, minimum spends and points balances just missed',
      ),
  }),
  vends: z.object({ approved: z.number().int(), failedRefunded: z.number().int() }),
  parcels: z.object({
    deposited: z.number().int(),
    pickedUp: z.number().int(),
    waiting: z.number().int().describe('parcels in the lockers now, waiting for their residents'),
  }),
  doors: z.object({ opened: z.number().int(), refused: z.number().int() }),
});
export type Activity = z.infer<typeof ActivitySchema>;

const n = (v: number | null | undefined) => v ?? 0;

/** The kinds that run vending sessions (the kinds that may send vend_request), as an SQL list. */
const VENDING_KINDS = `(${(OP_KINDS.get('vend_request') ?? []).map((k) => `'${k}'`).join(', ') || "''"})`;

/**
 * What the community did since `since`, from the gateway's own records: purchases and what they saved,
 * the benefits applied and why others were not, vends and refunds, parcels, doors. Read-only SQL over
 * a few indexed ranges: cheap enough for a dashboard polling every few seconds.
 */
export function activitySince(db: ReadDb, since: number): Activity {
  const r = db
    .prepare<
      [number],
      { approved: number; discounted: number; saved: number; paid: number; points: number; declined: number }
    >(
      `SELECT SUM(state <> 'declined') AS approved, SUM(state <> 'declined' AND saving_fen > 0) AS discounted,
              SUM(CASE WHEN state = 'captured' THEN saving_fen ELSE 0 END) AS saved,
              SUM(CASE WHEN state = 'captured' THEN payable_fen ELSE 0 END) AS paid,
              SUM(CASE WHEN state = 'captured' THEN points_earned ELSE 0 END) AS points,
              SUM(state = 'declined') AS declined
         FROM redemptions WHERE created_at >= ?`,
    )
    .get(since);
  const declinedBy = db
    .prepare<[number], { code: string | null; n: number }>(
      `SELECT json_extract(result, '$.declineCode') AS code, COUNT(*) AS n FROM redemptions
        WHERE created_at >= ? AND state = 'declined' GROUP BY code`,
    )
    .all(since);
  const applied = db
    .prepare<[number], { code: string; n: number }>(
      `SELECT json_extract(j.value, '$.campaignId') AS code, COUNT(*) AS n
         FROM redemptions r, json_each(r.result, '$.applied') j
        WHERE r.created_at >= ? AND r.state <> 'declined' GROUP BY code ORDER BY n DESC`,
    )
    .all(since);
  const missed = db
    .prepare<[number], { code: string; n: number }>(
      `SELECT json_extract(j.value, '$.code') AS code, COUNT(*) AS n
         FROM redemptions r, json_each(r.result, '$.notApplied') j
         LEFT JOIN campaigns c ON c.id = json_extract(j.value, '$.campaignId')
        WHERE r.created_at >= ?
          AND ((json_extract(c.doc, '$.usage.type') IN ${HELD_USAGES}
                AND json_extract(j.value, '$.code') NOT IN ${ELSEWHERE})
               OR json_extract(j.value, '$.code') IN ${NEAR_MISSES})
        GROUP BY code ORDER BY n DESC`,
    )
    .all(since);
  const vends = db
    .prepare<[number], { approved: number; voided: number }>(
      `SELECT SUM(r.state <> 'declined') AS approved, SUM(r.state = 'voided') AS voided
         FROM redemptions r JOIN devices d ON d.id = r.device_id
        WHERE r.created_at >= ? AND d.kind IN ${VENDING_KINDS}`,
    )
    .get(since);
  const parcels = db
    .prepare<[{ since: number }], { deposited: number; picked: number }>(
      `SELECT SUM(stored_at >= @since) AS deposited, SUM(picked_up_at >= @since) AS picked
         FROM parcels WHERE stored_at >= @since OR picked_up_at >= @since`,
    )
    .get({ since });
  const waiting = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM parcels WHERE status = 'stored'").get();
  const doors = db
    .prepare<[number], { opened: number; refused: number }>(
      "SELECT SUM(decision = 'granted') AS opened, SUM(decision = 'denied') AS refused FROM access_log WHERE at >= ?",
    )
    .get(since);
  return {
    since: new Date(since).toISOString(),
    purchases: {
      approved: n(r?.approved),
      withDiscount: n(r?.discounted),
      savedFen: n(r?.saved),
      paidFen: n(r?.paid),
      pointsEarned: n(r?.points),
      declined: n(r?.declined),
      declinedBy: Object.fromEntries(declinedBy.map((d) => [d.code ?? 'UNKNOWN', d.n])),
    },
    benefits: {
      applied: Object.fromEntries(applied.map((a) => [a.code, a.n])),
      notApplied: Object.fromEntries(missed.map((m) => [m.code, m.n])),
    },
    vends: { approved: n(vends?.approved), failedRefunded: n(vends?.voided) },
    parcels: { deposited: n(parcels?.deposited), pickedUp: n(parcels?.picked), waiting: n(waiting?.n) },
    doors: { opened: n(doors?.opened), refused: n(doors?.refused) },
  };
}

const DECLINE_WORDS: Record<string, string> = {
  INSUFFICIENT_FUNDS: 'not enough balance',
  LOW_TRUST_LIMIT: 'plain-card limit',
  NOTHING_TO_PAY_FOR: 'nothing to pay',
  COUPON_NOT_APPLICABLE: 'coupon not valid there',
  POINTS_ALREADY_SPENT: 'points already spent',
};
const MISS_WORDS: Record<string, string> = {
  THRESHOLD_NOT_MET: 'threshold not reached',
  MIN_SPEND_NOT_MET: 'minimum spend not reached',
  INSTANCE_USED: 'coupon already used',
  PERIOD_USES_EXHAUSTED: 'period uses taken',
  NO_USES_LEFT: 'punch card full',
  INSTANCE_EXPIRED: 'coupon expired',
  NO_ELIGIBLE_PRODUCT: 'no eligible item',
  OUTSIDE_HOURS: 'outside its hours',
  WRONG_DAY: 'not today',
  NOT_ENOUGH_POINTS: 'not enough points',
  CATEGORY_CONFLICT: 'one of a kind per purchase',
  NOT_BEST: 'a better offer won',
};

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
const list = (counts: Record<string, number>, words: Record<string, string>, max: number) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, max)
    .map(([code, k]) => `${k} ${words[code] ?? code.toLowerCase().replaceAll('_', ' ')}`)
    .join(', ');

/** The figures in one line a person can follow, e.g. for a console every 30 s. */
export function activityLine(a: Activity): string {
  const p = a.purchases;
  const declined = p.declined > 0 ? `${p.declined} declined (${list(p.declinedBy, DECLINE_WORDS, 3)})` : '0 declined';
  const missed =
    Object.keys(a.benefits.notApplied).length > 0
      ? `; offers not applied: ${list(a.benefits.notApplied, MISS_WORDS, 2)}`
      : '';
  return (
    `purchases ${p.approved} approved (${p.withDiscount} with a discount, ${yuan(p.savedFen)} saved, ` +
    `${p.pointsEarned} points earned), ${declined}${missed}; ` +
    `${a.vends.approved} vends, ${a.vends.failedRefunded} failed and refunded; ` +
    `parcels ${a.parcels.deposited} in, ${a.parcels.pickedUp} picked up; doors ${a.doors.opened} opened`
  );
}
