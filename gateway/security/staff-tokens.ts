import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { Clock } from '../core/clock.ts';
import type { WriterPort } from '../redemption/service/ports.ts';
import type { StaffRole, StaffTokenRecord, TokenRepo } from '../store/token-repo.ts';

export const StaffRoleSchema = z.enum(['viewer', 'operator', 'admin']);
const RANK: Record<StaffRole, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether `role` may do what `required` may do: admin ⊇ operator ⊇ viewer. */
export function roleAllows(role: StaffRole, required: StaffRole): boolean {
  return RANK[role] >= RANK[required];
}

const TOKEN_RE = /^llt_[A-Za-z0-9_-]{43}$/;

/**
 * Staff API tokens: 256 random bits, shown once, stored as SHA-256. A fast hash is enough here
 * because the token is random, not a password a person chose; it also keeps every API call cheap.
 */
export class StaffTokens {
  /** Reads come from the repository; every write goes through `writer`, the process's one writer. */
  constructor(
    private readonly repo: TokenRepo,
    private readonly writer: WriterPort,
    private readonly clock: Clock,
  ) {}

  /** A shop's token (`merchantId`) is at most an operator: it reads and reverses that shop's redemptions only. */
  create(
    role: StaffRole,
    label: string | null = null,
    merchantId: string | null = null,
  ): Promise<{ id: string; token: string; role: StaffRole; merchantId: string | null }> {
    if (merchantId !== null && role === 'admin') return Promise.reject(new Error('a shop token cannot be admin'));
    const token = `llt_${randomBytes(32).toString('base64url')}`;
    const id = `tok_${randomBytes(6).toString('hex')}`;
    return this.writer
      .submit(() => this.repo.insert({ id, tokenHash: digest(token), role, label, now: this.clock.now(), merchantId }))
      .then(() => ({ id, token, role, merchantId }));
  }

  /** The active token record for a presented token, or undefined. */
  authenticate(token: string): StaffTokenRecord | undefined {
    if (!TOKEN_RE.test(token)) return undefined;
    const rec = this.repo.findActiveByHash(digest(token));
    // when a token was last used is bookkeeping: written by the writer in its next batch, never waited for
    if (rec) {
      const at = this.clock.now();
      void this.writer.submit(() => this.repo.markUsed(rec.id, at)).catch(() => undefined);
    }
    return rec;
  }

  list(): StaffTokenRecord[] {
    return this.repo.list();
  }

  revoke(id: string): Promise<boolean> {
    return this.writer.submit(() => this.repo.revoke(id, this.clock.now()));
  }

  /**
   * A one-time sign-in link's code: the first browser that opens the link gets a token of this role (made
   * then), nobody after it, and nobody after `ttlMs`. For staff who would otherwise copy a token by hand.
   */
  createLink(
    role: StaffRole,
    label: string | null,
    merchantId: string | null,
    ttlMs = LOGIN_LINK_TTL_MS,
  ): Promise<{ code: string; expiresAt: number }> {
    if (merchantId !== null && role === 'admin') return Promise.reject(new Error('a shop token cannot be admin'));
    const code = `lln_${randomBytes(32).toString('base64url')}`;
    const now = this.clock.now();
    const expiresAt = now + ttlMs;
    return this.writer
      .submit(() => this.repo.insertLink({ codeHash: digest(code), role, label, merchantId, now, expiresAt }))
      .then(() => ({ code, expiresAt }));
  }

  /** Trades a link's code for a new token, once; undefined for an unknown, used or expired code. */
  redeemLink(
    code: string,
  ): Promise<{ id: string; token: string; role: StaffRole; merchantId: string | null } | undefined> {
    if (!LINK_RE.test(code)) return Promise.resolve(undefined);
    const token = `llt_${randomBytes(32).toString('base64url')}`;
    const id = `tok_${randomBytes(6).toString('hex')}`;
    // the link is used and the token made in one transaction: a link is never spent without its token
    return this.writer.submit(() => {
      const now = this.clock.now();
      const link = this.repo.useLink(digest(code), now);
      if (!link) return undefined;
      this.repo.insert({
        id,
        tokenHash: digest(token),
        role: link.role,
        label: link.label,
        now,
        merchantId: link.merchantId,
      });
      return { id, token, role: link.role, merchantId: link.merchantId };
    });
  }
}

/** Long enough to open a link sent over chat, short enough that a forwarded one soon stops working. */
export const LOGIN_LINK_TTL_MS = 15 * 60_000;
const LINK_RE = /^lln_[A-Za-z0-9_-]{43}$/;

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
