import type { Db } from '../../gateway/store/db-type.ts';

type ParcelStatus = 'depositing' | 'stored' | 'opening' | 'picked_up' | 'deposit_failed';

export interface Parcel {
  id: string;
  txnId: string;
  lockerId: string;
  compartment: string;
  memberId: string;
  tracking: string;
  size: string;
  groupBuyId: string | undefined;
  status: ParcelStatus;
  codeHash: string | undefined;
  codeExpiresAt: number | undefined;
  createdAt: number;
  storedAt: number | undefined;
  pickedUpAt: number | undefined;
  pickupTxn: string | undefined;
}

interface Row {
  id: string;
  txn_id: string;
  locker_id: string;
  compartment: string;
  member_id: string;
  tracking: string;
  size: string;
  group_buy_id: string | null;
  status: ParcelStatus;
  code_hash: string | null;
  code_expires_at: number | null;
  created_at: number;
  stored_at: number | null;
  picked_up_at: number | null;
  pickup_txn: string | null;
}

const toParcel = (r: Row): Parcel => ({
  id: r.id,
  txnId: r.txn_id,
  lockerId: r.locker_id,
  compartment: r.compartment,
  memberId: r.member_id,
  tracking: r.tracking,
  size: r.size,
  groupBuyId: r.group_buy_id ?? undefined,
  status: r.status,
  codeHash: r.code_hash ?? undefined,
  codeExpiresAt: r.code_expires_at ?? undefined,
  createdAt: r.created_at,
  storedAt: r.stored_at ?? undefined,
  pickedUpAt: r.picked_up_at ?? undefined,
  pickupTxn: r.pickup_txn ?? undefined,
});

/** Parcels in lockers: what each compartment is assumed to hold, pickup codes (hashed), member notices. */
export class ParcelRepo {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO parcels (id, txn_id, locker_id, compartment, member_id, tracking, size, group_buy_id, status,
           code_hash, code_expires_at, created_at)
         VALUES (@id, @txnId, @lockerId, @compartment, @memberId, @tracking, @size, @groupBuyId, 'depositing',
           @codeHash, @codeExpiresAt, @createdAt)`,
      ),
      get: db.prepare<[string], Row>('SELECT * FROM parcels WHERE id = ?'),
      byTxn: db.prepare<[string, string], Row>('SELECT * FROM parcels WHERE locker_id = ? AND txn_id = ?'),
      active: db.prepare<[string], Row>(
        'SELECT * FROM parcels ' +
          "WHERE locker_id = ? AND status IN ('depositing', 'stored', 'opening') ORDER BY created_at",
      ),
      ofMember: db.prepare<[string, string], Row>(
        "SELECT * FROM parcels WHERE locker_id = ? AND member_id = ? AND status = 'stored' ORDER BY created_at",
      ),
      byCode: db.prepare<[string, string], Row>(
        "SELECT * FROM parcels WHERE locker_id = ? AND code_hash = ? AND status = 'stored'",
      ),
      codeInUse: db.prepare<[string, string], { n: number }>(
        'SELECT COUNT(*) AS n FROM parcels ' +
          "WHERE locker_id = ? AND code_hash = ? AND status IN ('depositing', 'stored', 'opening')",
      ),
      setStatus: db.prepare(
        'UPDATE parcels SET status = @status, stored_at = COALESCE(@storedAt, stored_at), ' +
          'picked_up_at = COALESCE(@pickedUpAt, picked_up_at), pickup_txn = COALESCE(@pickupTxn, pickup_txn) ' +
          'WHERE id = @id',
      ),
      setCode: db.prepare('UPDATE parcels SET code_hash = ?, code_expires_at = ? WHERE id = ?'),
      overdueCounts: db.prepare<[number], { locker_id: string; n: number }>(
        "SELECT locker_id, COUNT(*) AS n FROM parcels WHERE status = 'stored' AND stored_at < ? GROUP BY locker_id",
      ),
      list: db.prepare<[{ locker: string | null; status: string | null; limit: number }], Row>(
        'SELECT * FROM parcels ' +
          'WHERE (@locker IS NULL OR locker_id = @locker) AND (@status IS NULL OR status = @status) ' +
          'ORDER BY created_at DESC, rowid DESC LIMIT @limit',
      ),
      byPickup: db.prepare<[string, string], Row>(
        'SELECT * FROM parcels WHERE locker_id = ? AND pickup_txn = ? ORDER BY created_at',
      ),
      notice: db.prepare('INSERT INTO member_notices (member_id, kind, payload, created_at) VALUES (?, ?, ?, ?)'),
      notices: db.prepare<[string], { kind: string; payload: string; created_at: number }>(
        'SELECT kind, payload, created_at FROM member_notices WHERE member_id = ? ORDER BY id',
      ),
      dropCodeNotices: db.prepare(
        'DELETE FROM member_notices ' +
          "WHERE kind IN ('parcel_arrived', 'parcel_code') AND json_extract(payload, '$.parcelId') = ?",
      ),
      expiredCodes: db.prepare<[number], { id: string }>(
        'SELECT id FROM parcels ' +
          "WHERE status = 'stored' AND code_expires_at IS NOT NULL AND code_expires_at <= ? LIMIT 1000",
      ),
      dropExpired: db.prepare(
        'DELETE FROM member_notices ' +
          "WHERE kind IN ('parcel_arrived', 'parcel_code') AND json_extract(payload, '$.expiresAt') <= ?",
      ),
      // stale 'opening' after a restart: the open was never confirmed, so the parcel is still in there
      reopenStale: db.prepare("UPDATE parcels SET status = 'stored' WHERE status = 'opening'"),
    };
  }

  insert(p: {
    id: string;
    txnId: string;
    lockerId: string;
    compartment: string;
    memberId: string;
    tracking: string;
    size: string;
    groupBuyId: string | null;
    codeHash: string;
    codeExpiresAt: number;
    createdAt: number;
  }): void {
    this.s.insert.run(p);
  }
  get(id: string): Parcel | undefined {
    const r = this.s.get.get(id);
    return r && toParcel(r);
  }
  /** [FWP-4.3] A deposit's txn is unique per locker. */
  byTxn(lockerId: string, txnId: string): Parcel | undefined {
    const r = this.s.byTxn.get(lockerId, txnId);
    return r && toParcel(r);
  }
  /** Parcels that occupy a compartment of this locker (assumed occupancy). */
  active(lockerId: string): Parcel[] {
    return this.s.active.all(lockerId).map(toParcel);
  }
  storedFor(lockerId: string, memberId: string): Parcel[] {
    return this.s.ofMember.all(lockerId, memberId).map(toParcel);
  }
  byCode(lockerId: string, codeHash: string): Parcel | undefined {
    const r = this.s.byCode.get(lockerId, codeHash);
    return r && toParcel(r);
  }
  codeInUse(lockerId: string, codeHash: string): boolean {
    return (this.s.codeInUse.get(lockerId, codeHash)?.n ?? 0) > 0;
  }
  setStatus(
    id: string,
    status: ParcelStatus,
    extra: { storedAt?: number; pickedUpAt?: number; pickupTxn?: string } = {},
  ): void {
    this.s.setStatus.run({
      id,
      status,
      storedAt: extra.storedAt ?? null,
      pickedUpAt: extra.pickedUpAt ?? null,
      pickupTxn: extra.pickupTxn ?? null,
    });
  }
  setCode(id: string, codeHash: string, expiresAt: number): void {
    this.s.setCode.run(codeHash, expiresAt, id);
  }
  /** Parcels waiting since before a time, counted per locker. */
  overdueCounts(storedBefore: number): Map<string, number> {
    return new Map(this.s.overdueCounts.all(storedBefore).map((r) => [r.locker_id, r.n]));
  }
  list(filter: { lockerId?: string | undefined; status?: string | undefined; limit: number }): Parcel[] {
    return this.s.list
      .all({ locker: filter.lockerId ?? null, status: filter.status ?? null, limit: filter.limit })
      .map(toParcel);
  }
  /** The parcels a pickup transaction opened (for answering its retry the same). */
  byPickupTxn(lockerId: string, txn: string): Parcel[] {
    return this.s.byPickup.all(lockerId, txn).map(toParcel);
  }
  notice(memberId: string, kind: string, payload: unknown, at: number): void {
    this.s.notice.run(memberId, kind, JSON.stringify(payload), at);
  }
  notices(memberId: string): { kind: string; payload: unknown; at: number }[] {
    return this.s.notices
      .all(memberId)
      .map((n) => ({ kind: n.kind, payload: JSON.parse(n.payload) as unknown, at: n.created_at }));
  }
  /** Pickup codes are kept in clear only in the notice outbox, and only while they can open something. */
  dropCodeNotices(parcelId: string): void {
    this.s.dropCodeNotices.run(parcelId);
  }
  dropExpiredCodeNotices(now: number): number {
    return this.s.dropExpired.run(now).changes;
  }
  /** Stored parcels whose pickup code has expired (it opens nothing any more). */
  withExpiredCodes(now: number): string[] {
    return this.s.expiredCodes.all(now).map((r) => r.id);
  }
  recoverAfterRestart(): number {
    return this.s.reopenStale.run().changes;
  }
}
