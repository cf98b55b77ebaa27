import { createHash, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

const SecretsSchema = z.object({ version: z.literal(1), pepper: z.string().regex(/^[A-Za-z0-9_-]{43}$/) }).strict();

/**
 * Secrets of this gateway that must survive restarts but never sit in the database: the pepper that
 * turns card identifiers into lookup keys. Kept in `<dataDir>/secrets.json`, readable by the gateway's
 * user only. Losing it makes every card unrecognisable, so it belongs in the backup, apart from the database.
 */
export class GatewaySecrets {
  /** The platform's card-fingerprint key (shared by the cloud and its gateways), when configured. */
  private fingerprintKey: Buffer | undefined;

  private constructor(private readonly pepper: Buffer) {}

  /**
   * Fingerprints become HMAC(key, "type:ID"): without the key a short UID's fingerprint cannot be found
   * by trying every value. Cards keyed before it was set are re-keyed on first sight.
   */
  useFingerprintKey(key: Buffer): this {
    if (key.length < 16) throw new Error('the card fingerprint key must be at least 16 bytes');
    this.fingerprintKey = key;
    return this;
  }

  static loadOrCreate(dataDir: string): GatewaySecrets {
    const file = join(dataDir, 'secrets.json');
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      const doc = { version: 1 as const, pepper: randomBytes(32).toString('base64url') };
      writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    }
    chmodSync(file, 0o600);
    const parsed = SecretsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success)
      throw new Error(
        `${file} is damaged: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
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
    return this.lookupKeyOf(cardFingerprint(type, id, this.fingerprintKey));
  }

  /** Keys a card may have been stored under by earlier settings or releases, newest first. */
  previousLookupKeys(type: 'uid' | 'sun' | 'qr', id: string): string[] {
    return [
      ...(this.fingerprintKey ? [this.lookupKeyOf(cardFingerprint(type, id))] : []),
      this.legacyLookupKey(type, id),
    ];
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

/**
 * How the cloud names a card without sending its identifier: HMAC-SHA256(platform key, "type:ID") when
 * the platform shares a fingerprint key with its gateways, else SHA-256("type:ID") (ID upper-case).
 */
export function cardFingerprint(type: 'uid' | 'sun' | 'qr', id: string, key?: Buffer): string {
  const data = `${type}:${id.toUpperCase()}`;
  return (key ? createHmac('sha256', key).update(data) : createHash('sha256').update(data)).digest('hex');
}
