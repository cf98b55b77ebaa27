import { Store } from '../../gateway/store/store.ts';

/** A Shanghai wall time (UTC+8) as epoch ms: `sh('2025-03-01T08:00')`. */
export const sh = (local: string): number => Date.parse(`${local}Z`) - 8 * 3_600_000;

type State = 'declined' | 'held' | 'captured' | 'voided' | 'reversed';
export interface Sale {
  at: number;
  merchant?: string;
  device?: string | null;
  member?: string;
  state?: State;
  payable?: number;
  saving?: number;
  benefits?: [campaign: string, savingFen: number][];
}

/** An in-memory, migrated gateway store with a helper that records redemptions as the engine does. */
export function reportStore() {
  const store = new Store(':memory:');
  let n = 0;
  const insert = store.db.prepare(
    `INSERT INTO redemptions (id, txn_id, fingerprint, device_id, merchant_id, member_id, state, created_at,
       payable_fen, saving_fen, points_cost, points_earned, result)
     VALUES (?, ?, 'fp', ?, ?, ?, ?, ?, ?, ?, 0, 0, '{}')`,
  );
  const benefit = store.db.prepare(
    'INSERT INTO redemption_benefits (redemption_id, campaign_id, instance_id, saving_fen) VALUES (?, ?, NULL, ?)',
  );
  const setState = store.db.prepare('UPDATE redemptions SET state = ? WHERE id = ?');
  return {
    store,
    /** Stores one redemption (row first, then its benefits, like the engine); returns its id. */
    add(s: Sale): string {
      const id = `red_${++n}`;
      const benefits = s.benefits ?? [];
      store.db.transaction(() => {
        insert.run(
          id,
          `t${n}`,
          s.device === undefined ? 'dev-1' : s.device,
          s.merchant ?? 'm1',
          s.member ?? 'mem1',
          s.state ?? 'captured',
          s.at,
          s.payable ?? 1000,
          s.saving ?? benefits.reduce((a, [, f]) => a + f, 0),
        );
        for (const [campaign, fen] of benefits) benefit.run(id, campaign, fen);
      })();
      return id;
    },
    setState: (id: string, state: State) => setState.run(state, id),
  };
}
