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

interface LinkRow {
  role: StaffRole;
  label: string | null;
  merchant_id: string | null;
}

/**
 * Migration 20: one-time sign-in links (`linli token create --link`). The code is in the link's fragment,
 * which a browser never sends, so it reaches no log; it is stored hashed, used once, within minutes.
 */
export const LOGIN_LINKS_SQL = `
  CREATE TABLE login_links (
    code_hash   TEXT PRIMARY KEY,
    role        TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    label       TEXT,
    merchant_id TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
  ) STRICT;
`;

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
      addLink: db.prepare(
        `INSERT INTO login_links (code_hash, role, label, merchant_id, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      useLink: db.prepare<[number, string, number], LinkRow>(
        `UPDATE login_links SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?
         RETURNING role, label, merchant_id`,
      ),
      pruneLinks: db.prepare('DELETE FROM login_links WHERE expires_at < ?'),
    };
  }

  /** A one-time sign-in link's code (its hash), good until `expiresAt`. */
  insertLink(l: {
    codeHash: string;
    role: StaffRole;
    label: string | null;
    merchantId: string | null;
    now: number;
    expiresAt: number;
  }): void {
    this.stmts.pruneLinks.run(l.now - 86_400_000);
    this.stmts.addLink.run(l.codeHash, l.role, l.label, l.merchantId, l.now, l.expiresAt);
  }

  /** Marks a link used and says what token it stands for; undefined when unknown, used or expired. */
  useLink(
    codeHash: string,
    now: number,
  ): { role: StaffRole; label: string | null; merchantId: string | null } | undefined {
    const r = this.stmts.useLink.get(now, codeHash, now);
    return r ? { role: r.role, label: r.label, merchantId: r.merchant_id } : undefined;
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
