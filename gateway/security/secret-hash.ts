import { createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Slow hashes for integration passwords (a person chose them, so guessing must be expensive): scrypt,
 * run on libuv's thread pool, encoded as scrypt$N$r$p$salt$hash (base64url). Device secrets are 256
 * random bits the gateway generated: no dictionary to guess from, so a slow hash buys nothing there and
 * would cost a reconnect storm a minute (and 32 MB per hash in flight); they are kept as a salted
 * HMAC-SHA-256, encoded as sha256$salt$hash. A device still stored with scrypt is re-hashed on its next
 * good CONNECT.
 */
const PARAMS = { N: 1 << 15, r: 8, p: 1, keylen: 32 } as const;
const MAXMEM = 128 * PARAMS.N * PARAMS.r * 2;

function scryptAsync(secret: string | Buffer, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** A new random secret for a device: 32 bytes, base64url. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a device's generated secret (never of a password a person chose). */
export function hashDeviceSecret(secret: string | Buffer): string {
  const salt = randomBytes(16);
  return ['sha256', salt.toString('base64url'), fastDigest(secret, salt).toString('base64url')].join('$');
}

const fastDigest = (secret: string | Buffer, salt: Buffer) => createHmac('sha256', salt).update(secret).digest();

/** True for a hash that costs a scrypt to check (worth replacing, for a device secret). */
export const isSlowHash = (encoded: string): boolean => encoded.startsWith('scrypt$');

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, PARAMS.keylen, { N: PARAMS.N, r: PARAMS.r, p: PARAMS.p, maxmem: MAXMEM });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time check of a secret against a stored hash; false (never a throw) for a malformed hash. */
export async function verifySecret(secret: string | Buffer, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length === 3 && parts[0] === 'sha256') {
    const expected = Buffer.from(parts[2] ?? '', 'base64url');
    if (expected.length !== 32) return false;
    return timingSafeEqual(fastDigest(secret, Buffer.from(parts[1] ?? '', 'base64url')), expected);
  }
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 1 << 20) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (expected.length < 16) return false;
  const key = await scryptAsync(secret, salt, expected.length, { N, r, p, maxmem: 128 * N * r * 2 });
  return timingSafeEqual(key, expected);
}
