import type { Db } from '../../gateway/store/db-type.ts';

export interface GroupBuy {
  id: string;
  title: string;
  targetQty: number;
  status: 'forming' | 'formed' | 'delivered' | 'cancelled';
  closesAt: number | undefined;
  createdAt: number;
  formedAt: number | undefined;
  orderedQty: number;
  buyers: { memberId: string; qty: number; parcelId: string | undefined }[];
}

interface Row {
  id: string;
  title: string;
  target_qty: number;
  status: GroupBuy['status'];
  closes_at: number | null;
  created_at: number;
  formed_at: number | null;
}

/**
 * Group-buy orders (社区团购): they form when the target quantity is reached; delivered goods go into lockers per buyer.
 */
export class GroupBuyRepo {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      insert: db.prepare(
        'INSERT INTO group_buys (id, title, target_qty, status, closes_at, created_at) ' +
          "VALUES (?, ?, ?, 'forming', ?, ?)",
      ),
      get: db.prepare<[string], Row>('SELECT * FROM group_buys WHERE id = ?'),
      list: db.prepare<[], Row>('SELECT * FROM group_buys ORDER BY created_at DESC'),
      due: db.prepare<[number], Row>(
        "SELECT * FROM group_buys WHERE status = 'forming' AND closes_at IS NOT NULL AND closes_at <= ?",
      ),
      orders: db.prepare<[string], { member_id: string; qty: number; parcel_id: string | null }>(
        'SELECT member_id, qty, parcel_id FROM group_buy_orders WHERE group_buy_id = ? ORDER BY joined_at, member_id',
      ),
      join: db.prepare(
        `INSERT INTO group_buy_orders (group_buy_id, member_id, qty, joined_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(group_buy_id, member_id) DO UPDATE SET qty = excluded.qty`,
      ),
      setStatus: db.prepare('UPDATE group_buys SET status = ?, formed_at = COALESCE(?, formed_at) WHERE id = ?'),
      assign: db.prepare('UPDATE group_buy_orders SET parcel_id = ? WHERE group_buy_id = ? AND member_id = ?'),
      unassign: db.prepare('UPDATE group_buy_orders SET parcel_id = NULL WHERE parcel_id = ?'),
    };
  }

  create(id: string, title: string, targetQty: number, closesAt: number | undefined, now: number): void {
    this.s.insert.run(id, title, targetQty, closesAt ?? null, now);
  }
  get(id: string): GroupBuy | undefined {
    const r = this.s.get.get(id);
    return r && this.hydrate(r);
  }
  list(): GroupBuy[] {
    return this.s.list.all().map((r) => this.hydrate(r));
  }
  /** Forming group buys whose closing time has passed. */
  due(now: number): GroupBuy[] {
    return this.s.due.all(now).map((r) => this.hydrate(r));
  }
  join(id: string, memberId: string, qty: number, now: number): void {
    this.s.join.run(id, memberId, qty, now);
  }
  setStatus(id: string, status: GroupBuy['status'], formedAt?: number): void {
    this.s.setStatus.run(status, formedAt ?? null, id);
  }
  assignParcel(id: string, memberId: string, parcelId: string): void {
    this.s.assign.run(parcelId, id, memberId);
  }
  /** A deposit that failed (jammed door) frees the buyer for the next deposit. */
  unassignParcel(parcelId: string): void {
    this.s.unassign.run(parcelId);
  }

  private hydrate(r: Row): GroupBuy {
    const buyers = this.s.orders
      .all(r.id)
      .map((o) => ({ memberId: o.member_id, qty: o.qty, parcelId: o.parcel_id ?? undefined }));
    return {
      id: r.id,
      title: r.title,
      targetQty: r.target_qty,
      status: r.status,
      closesAt: r.closes_at ?? undefined,
      createdAt: r.created_at,
      formedAt: r.formed_at ?? undefined,
      orderedQty: buyers.reduce((s, b) => s + b.qty, 0),
      buyers,
    };
  }
}
