import type { Db } from './db-type.ts';

export type StaffRole = 'viewer' | 'operator' | 'admin';

export interface StaffTokenRecord {
  id: string;
  role: StaffRole;
  label: string | null;
  /** Set for a shop's token: it may only use routes marked merchantScoped, limited to this merchant. */
  merchantId: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

interface Row {
  id: string;
  token_hash: string;
  role: StaffRole;
  label: string | null;
  merchant_id: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const fromRow = (r: Row): StaffTokenRecord => ({
  id: r.id,
  role: r.role,
  label: r.label,
  merchantId: r.merchant_id,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

/** Staff API tokens, stored only as hashes. */
export class TokenRepo {
  private readonly stmts;
  constructor(db: Db) {
    this.stmts = {
      insert: db.prepare(
        'INSERT INTO staff_tokens (id, token_hash, role, label, created_at, merchant_id) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      byHash: db.prepare<[string], Row>('SELECT * FROM staff_tokens WHERE token_hash = ? AND revoked_at IS NULL'),
      list: db.prepare<[], Row>('SELECT * FROM staff_tokens ORDER BY created_at'),
      revoke: db.prepare('UPDATE staff_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      used: db.prepare('UPDATE staff_tokens SET last_used_at = ? WHERE id = ?'),
    };
  }

  insert(t: {
    id: string;
    tokenHash: string;
    role: StaffRole;
    label: string | null;
    now: number;
    merchantId?: string | null;
  }): void {
    this.stmts.insert.run(t.id, t.tokenHash, t.role, t.label, t.now, t.merchantId ?? null);
  }

  findActiveByHash(tokenHash: string): StaffTokenRecord | undefined {
    const row = this.stmts.byHash.get(tokenHash);
    return row ? fromRow(row) : undefined;
  }

  list(): StaffTokenRecord[] {
    return this.stmts.list.all().map(fromRow);
  }

  revoke(id: string, now: number): boolean {
    return this.stmts.revoke.run(now, id).changes === 1;
  }

  markUsed(id: string, now: number): void {
    this.stmts.used.run(now, id);
  }
}
