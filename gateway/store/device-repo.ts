import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import type { Db } from './db.ts';

export interface DeviceRecord {
  id: string;
  kind: DeviceKind;
  name: string | null;
  secretHash: string;
  disabled: boolean;
  capabilities: unknown;
  firmware: string | null;
  createdAt: number;
  secretRotatedAt: number;
  lastSeenAt: number | null;
  /** The shop a scanner sells for, set at provisioning. */
  merchantId: string | null;
}

interface Row {
  id: string;
  kind: string;
  name: string | null;
  secret_hash: string;
  disabled: number;
  capabilities: string;
  firmware: string | null;
  created_at: number;
  secret_rotated_at: number;
  last_seen_at: number | null;
  merchant_id: string | null;
}

const fromRow = (r: Row): DeviceRecord => ({
  id: r.id,
  kind: r.kind as DeviceKind,
  name: r.name,
  secretHash: r.secret_hash,
  disabled: r.disabled === 1,
  capabilities: JSON.parse(r.capabilities) as unknown,
  firmware: r.firmware,
  createdAt: r.created_at,
  secretRotatedAt: r.secret_rotated_at,
  lastSeenAt: r.last_seen_at,
  merchantId: r.merchant_id,
});

/** The devices table; every write is one short statement on the single writer connection. */
export class DeviceRepo {
  private readonly stmts;
  constructor(db: Db) {
    this.stmts = {
      get: db.prepare<[string], Row>('SELECT * FROM devices WHERE id = ?'),
      list: db.prepare<[], Row>('SELECT * FROM devices ORDER BY kind, id'),
      insert: db.prepare(
        `INSERT INTO devices
           (id, kind, name, secret_hash, disabled, capabilities, created_at, secret_rotated_at, merchant_id)
         VALUES (@id, @kind, @name, @secretHash, 0, @capabilities, @now, @now, @merchantId)`,
      ),
      setSecret: db.prepare('UPDATE devices SET secret_hash = ?, secret_rotated_at = ? WHERE id = ?'),
      rehash: db.prepare('UPDATE devices SET secret_hash = ? WHERE id = ? AND secret_hash = ?'),
      setDisabled: db.prepare('UPDATE devices SET disabled = ? WHERE id = ?'),
      setBirth: db.prepare('UPDATE devices SET capabilities = ?, firmware = ?, last_seen_at = ? WHERE id = ?'),
      touch: db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?'),
      remove: db.prepare('DELETE FROM devices WHERE id = ?'),
    };
  }

  get(id: string): DeviceRecord | undefined {
    const row = this.stmts.get.get(id);
    return row ? fromRow(row) : undefined;
  }

  list(): DeviceRecord[] {
    return this.stmts.list.all().map(fromRow);
  }

  insert(d: {
    id: string;
    kind: DeviceKind;
    name: string | null;
    secretHash: string;
    capabilities: unknown;
    now: number;
    merchantId?: string | null;
  }): void {
    this.stmts.insert.run({ ...d, merchantId: d.merchantId ?? null, capabilities: JSON.stringify(d.capabilities) });
  }

  setSecret(id: string, secretHash: string, now: number): boolean {
    return this.stmts.setSecret.run(secretHash, now, id).changes === 1;
  }

  /** The same secret stored in another form; false when the secret changed meanwhile (rotated). */
  rehashSecret(id: string, from: string, to: string): boolean {
    return this.stmts.rehash.run(to, id, from).changes === 1;
  }

  setDisabled(id: string, disabled: boolean): boolean {
    return this.stmts.setDisabled.run(disabled ? 1 : 0, id).changes === 1;
  }

  recordBirth(id: string, capabilities: unknown, firmware: string, now: number): void {
    this.stmts.setBirth.run(JSON.stringify(capabilities), firmware, now, id);
  }

  touch(id: string, now: number): void {
    this.stmts.touch.run(now, id);
  }

  remove(id: string): boolean {
    return this.stmts.remove.run(id).changes === 1;
  }
}
