import { createHash, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const SecretsSchema = z.object({ version: z.literal(1), pepper: z.string().regex(/^[A-Za-z0-9_-]{43}$/) }).strict();

/**
 * Secrets of this gateway that must survive restarts but never sit in the database: the pepper that
 * turns card identifiers into lookup keys. Kept in `<dataDir>/secrets.json`, readable by the gateway's
 * user only. Losing it makes every card unrecognisable, so it belongs in the backup, apart from the database.
 */
export class GatewaySecrets {
  private constructor(private readonly pepper: Buffer) {}

  static loadOrCreate(dataDir: string): GatewaySecrets {
    const file = join(dataDir, 'secrets.json');
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      const doc = { version: 1 as const, pepper: randomBytes(32).toString('base64url') };
      writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    }
    chmodSync(file, 0o600);
    const parsed = SecretsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file} is damaged: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return new GatewaySecrets(Buffer.from(parsed.data.pepper, 'base64url'));
  }

  static forTests(pepper = Buffer.alloc(32, 7)): GatewaySecrets {
    return new GatewaySecrets(pepper);
  }

  /**
   * The keyed hash a card identifier is stored and looked up by: HMAC-SHA256(pepper, fingerprint), where
   * the fingerprint is SHA-256("type:ID"). The cloud sends fingerprints, never raw card identifiers, and
   * only this gateway's pepper turns them into the keys in its database.
   */
  lookupKey(type: 'uid' | 'sun' | 'qr', id: string): string {
    return this.lookupKeyOf(cardFingerprint(type, id));
  }

  /** The key of releases before fingerprints (HMAC of "type:ID"): cards bound then are re-keyed on first sight. */
  legacyLookupKey(type: 'uid' | 'sun' | 'qr', id: string): string {
    return createHmac('sha256', this.pepper).update(`${type}:${id.toUpperCase()}`).digest('hex');
  }

  lookupKeyOf(fingerprint: string): string {
    return createHmac('sha256', this.pepper).update(`fp:${fingerprint.toLowerCase()}`).digest('hex');
  }

  /**
   * The keyed hash a short code (pickup code, visitor code) is stored by, bound to where it is valid:
   * six digits hashed without a key could be reversed by trying them all.
   */
  codeHash(scope: string, code: string): string {
    return createHmac('sha256', this.pepper).update(`code:${scope}:${code}`).digest('hex');
  }
}

/** SHA-256 of "type:ID" (ID upper-case): how the cloud names a card without sending its identifier. */
export function cardFingerprint(type: 'uid' | 'sun' | 'qr', id: string): string {
  return createHash('sha256').update(`${type}:${id.toUpperCase()}`).digest('hex');
}
