import Database from 'better-sqlite3';
import { ERROR_CATALOGUE } from '../../firmware-protocol/src/errors.ts';
import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import type { Answer } from './resending-device.ts';

/** What the audit found; every list is empty and every count is as expected on a correct gateway. */
export interface CrashAudit {
  requests: number;
  approvals: number;
  /** Approvals a device received that the database does not hold as answered. */
  lost: string[];
  /** Requests answered with two different decisions. */
  duplicates: string[];
  /** Answers that are not a coded answer of the catalogue, or an INTERNAL_ERROR. */
  uncoded: string[];
  /** Redemptions whose ledger movements do not match their state and amounts. */
  misbooked: string[];
  /** Redemptions in the database no device heard of (every request was answered in the end). */
  unanswered: string[];
  /** Member accounts where opening balance + ledger movements differ from the balance. */
  unconserved: string[];
  stillHeld: number;
  integrity: string;
  redemptions: number;
}

interface RedemptionRow {
  id: string;
  txn_id: string;
  device_id: string | null;
  merchant_id: string;
  member_id: string;
  payer_id: string | null;
  state: string;
  payable_fen: number;
  saving_fen: number;
  points_cost: number;
  points_earned: number;
}

/**
 * The decision of an answer: everything but `state`, which tells where the purchase is now [FWP-4.3]. A
 * vending session's opening is no purchase: its decision is approved or not; the balance it shows is a
 * snapshot (other machines may have charged the resident before a resend reaches a restarted gateway).
 */
const decisionOf = (b: ResponseBody) => {
  if (b.op === 'vend_begin') return JSON.stringify([b.status, b.status === 'ok' ? b.decision : b.code]);
  const { state: _state, ...rest } = b as ResponseBody & { state?: string };
  return JSON.stringify(rest);
};

/** Reads a stopped gateway's database and holds it against every answer the devices received. */
export function auditCrashRun(
  dbFile: string,
  answers: readonly Answer[],
  requests: number,
  opening: ReadonlyMap<string, { fen: number; points: number }>,
): CrashAudit {
  const db = new Database(dbFile, { readonly: true });
  try {
    const audit: CrashAudit = {
      requests,
      approvals: 0,
      lost: [],
      duplicates: [],
      uncoded: [],
      misbooked: [],
      unanswered: [],
      unconserved: [],
      stillHeld: 0,
      integrity: String(db.pragma('integrity_check', { simple: true })),
      redemptions: 0,
    };
    const byKey = new Map<string, Answer[]>();
    for (const a of answers) {
      const key = `${a.device}|${a.txn}|${a.op || a.id}`;
      byKey.set(key, [...(byKey.get(key) ?? []), a]);
      if (
        a.body.status === 'error' &&
        (!(a.body.code in ERROR_CATALOGUE) || a.body.code === 'INTERNAL_ERROR' || a.body.code === 'RATE_LIMITED')
      )
        audit.uncoded.push(`${key}: ${a.body.code} ${a.body.message}`);
    }
    for (const [key, [head, ...rest]] of byKey) {
      const first = head ? decisionOf(head.body) : '';
      const other = rest.find((a) => decisionOf(a.body) !== first);
      if (other) audit.duplicates.push(`${key}: ${first} then ${decisionOf(other.body)}`);
    }

    const rows = db.prepare<[], RedemptionRow>('SELECT * FROM redemptions').all();
    audit.redemptions = rows.length;
    const byId = new Map(rows.map((r) => [r.id, r]));
    const heard = new Set<string>();
    for (const a of answers) {
      if (a.body.status !== 'ok' || a.body.decision !== 'approved') continue;
      audit.approvals += 1;
      const b = a.body;
      if (a.op === 'reverse' && b.redemptionId) {
        // a reversal names the redemption it reversed (another txn of the same shop)
        const r = byId.get(b.redemptionId);
        if (r?.state !== 'reversed')
          audit.lost.push(`${a.device}|${a.txn} reverse of ${b.redemptionId}: stored ${r?.state ?? 'nothing'}`);
      } else if (b.redemptionId) {
        heard.add(b.redemptionId);
        const r = byId.get(b.redemptionId);
        if (!r || r.device_id !== a.device || r.txn_id !== a.txn)
          audit.lost.push(`${a.device}|${a.txn} ${a.op}: redemption ${b.redemptionId} is not in the database`);
        else if (r.payable_fen !== b.payableFen || r.saving_fen !== b.savingFen || r.points_earned !== b.pointsEarned)
          audit.lost.push(`${a.device}|${a.txn} ${a.op}: answered ${JSON.stringify(b)}, stored ${JSON.stringify(r)}`);
        else if (b.state === 'captured' && r.state !== 'captured' && r.state !== 'reversed')
          audit.lost.push(`${a.device}|${a.txn}: answered captured, stored ${r.state}`);
        else if (b.state === 'voided' && r.state !== 'voided')
          audit.lost.push(`${a.device}|${a.txn}: answered voided, stored ${r.state}`);
      }
    }
    for (const r of rows) if (r.state !== 'declined' && !heard.has(r.id)) audit.unanswered.push(`${r.id} ${r.txn_id}`);
    audit.stillHeld = rows.filter((r) => r.state === 'held').length;

    audit.misbooked = misbooked(db, rows);
    audit.unconserved = unconserved(db, opening);
    return audit;
  } finally {
    db.close();
  }
}

/** Every redemption's own ledger movements, against what its state says moved. */
function misbooked(db: Database.Database, rows: RedemptionRow[]): string[] {
  const out: string[] = [];
  const moves = db.prepare<[string], { account: string; asset: string; delta: number }>(
    'SELECT account, asset, SUM(delta) AS delta FROM ledger WHERE redemption_id = ? GROUP BY account, asset',
  );
  const usesOf = db.prepare<[string], { n: number }>(
    'SELECT COUNT(*) AS n FROM redemption_benefits WHERE redemption_id = ? AND instance_id IS NOT NULL',
  );
  for (const r of rows) {
    const net = new Map<string, number>();
    for (const m of moves.all(r.id)) if (m.delta !== 0) net.set(`${m.account}/${m.asset}`, m.delta);
    const expected = new Map<string, number>();
    const add = (k: string, d: number) => {
      const v = (expected.get(k) ?? 0) + d;
      if (v === 0) expected.delete(k);
      else expected.set(k, v);
    };
    if (r.state === 'captured') {
      const payer = r.payer_id ?? r.member_id;
      add(`wallet:${payer}/fen`, -r.payable_fen);
      add(`merchant:${r.merchant_id}/fen`, r.payable_fen);
      add(`points:${r.member_id}/points`, r.points_earned - r.points_cost);
      add('issuer:points/points', -r.points_earned);
      add(`points-spent:${r.merchant_id}/points`, r.points_cost);
      const uses = usesOf.get(r.id)?.n ?? 0;
      add('issuer:uses/uses', uses);
    }
    // still held: counted apart (nothing may be held once every device has its answers)
    if (r.state === 'held') continue;
    // a voided, reversed or declined redemption leaves nothing moved: what it took went back
    const uses = [...net].filter(([k]) => k.startsWith('uses:'));
    for (const [k, v] of uses) {
      // each instance used gives one use back to the issuer; which instance is checked by the sum above
      if (v !== -1 || r.state !== 'captured') out.push(`${r.id} (${r.state}): ${k} moved ${v}`);
      net.delete(k);
    }
    const a = JSON.stringify([...net].sort());
    const e = JSON.stringify([...expected].sort());
    if (a !== e) out.push(`${r.id} (${r.state}, payable ${r.payable_fen}): moved ${a}, expected ${e}`);
  }
  return out;
}

/** Opening balance + every later movement = the balance now, for every member's wallet and points. */
function unconserved(db: Database.Database, opening: ReadonlyMap<string, { fen: number; points: number }>): string[] {
  const out: string[] = [];
  const later = db.prepare<[string, string], { d: number | null }>(
    "SELECT SUM(delta) AS d FROM ledger WHERE account = ? AND asset = ? AND reason <> 'topup'",
  );
  const balance = db.prepare<[string, string], { balance: number }>(
    'SELECT balance FROM balances WHERE account = ? AND asset = ?',
  );
  for (const [member, o] of opening) {
    for (const [acct, asset, open] of [
      [`wallet:${member}`, 'fen', o.fen],
      [`points:${member}`, 'points', o.points],
    ] as const) {
      const moved = later.get(acct, asset)?.d ?? 0;
      const now = balance.get(acct, asset)?.balance ?? 0;
      if (open + moved !== now) out.push(`${acct}: opening ${open} + movements ${moved} != balance ${now}`);
      if (now < 0) out.push(`${acct}: negative balance ${now}`);
    }
  }
  return out;
}

/** Redemptions the cloud heard of, by what happened to them (each redemption once per kind). */
export function cloudEventCounts(events: readonly { kind: string; data: unknown }[]): Record<string, number> {
  const seen = new Map<string, Set<string>>();
  for (const e of events) {
    const id = (e.data as { redemptionId?: string }).redemptionId;
    if (!e.kind.startsWith('redemption.') || !id) continue;
    seen.set(e.kind, (seen.get(e.kind) ?? new Set()).add(id));
  }
  return Object.fromEntries([...seen].map(([k, ids]) => [k, ids.size]).sort());
}

/** The same counts from the box's own records. */
export function boxEventCounts(dbFile: string): Record<string, number> {
  const db = new Database(dbFile, { readonly: true });
  try {
    const n = (where: string) =>
      (db.prepare(`SELECT COUNT(*) AS n FROM redemptions WHERE ${where}`).get() as { n: number }).n;
    const counts: Record<string, number> = {
      'redemption.captured': n('captured_at IS NOT NULL'),
      'redemption.declined': n("state = 'declined'"),
      'redemption.held': n('hold_expires_at IS NOT NULL'),
      'redemption.reversed': n("state = 'reversed'"),
      'redemption.voided': n("state = 'voided'"),
    };
    return Object.fromEntries(Object.entries(counts).filter(([, v]) => v > 0));
  } finally {
    db.close();
  }
}
