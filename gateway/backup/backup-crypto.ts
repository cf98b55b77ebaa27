import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  scryptSync,
} from 'node:crypto';
import { readSync, writeSync } from 'node:fs';
import * as z from 'zod';

/**
 * The encrypted container of a backup file:
 *
 *   "LINLIBK\n" | u32 header length | header (JSON) | chunk* (the last one flagged final)
 *   chunk = u32 plaintext length | AES-256-GCM ciphertext | 16-byte tag
 *
 * Every chunk's additional data is SHA-256(magic + header) | chunk index | final flag: a changed header
 * field, a chunk moved, dropped, repeated or cut off after it, each fails a tag. The file key comes from
 * scrypt(passphrase, salt) or HKDF(key file, salt); the salt is new for every file, so chunk nonces from
 * a counter never repeat under one key.
 */
export const MAGIC = Buffer.from('LINLIBK\n', 'latin1');
export const FORMAT_VERSION = 1;
/** Plaintext per chunk: big enough that the tags cost nothing, small enough to hold one in memory. */
export const CHUNK_BYTES = 1 << 20;
const TAG_BYTES = 16;
const MAX_HEADER_BYTES = 64 * 1024;

const B64 = z.string().regex(/^[A-Za-z0-9+/]+=*$/);
const KdfSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('scrypt'),
      /** CPU/memory cost: 2^15 takes some 0.1 s and 32 MiB on a PC, under a second on a Pi. */
      N: z
        .number()
        .int()
        .min(1 << 10)
        .max(1 << 20)
        .refine((n) => (n & (n - 1)) === 0, 'must be a power of two'),
      r: z.number().int().min(1).max(32),
      p: z.number().int().min(1).max(16),
      salt: B64,
    })
    .strict(),
  z.object({ kind: z.literal('key-file'), salt: B64 }).strict(),
]);
export type Kdf = z.infer<typeof KdfSchema>;

export const BackupHeaderSchema = z
  .object({
    format: z.literal(FORMAT_VERSION),
    kdf: KdfSchema,
    /** The first 4 bytes of every chunk's nonce; the other 8 are the chunk's index. */
    nonce: B64,
    chunkBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 << 20),
    /** Tells a wrong passphrase or key from a damaged file: a keyed hash, useless without the key. */
    keyCheck: z.string().regex(/^[0-9a-f]{32}$/),
    createdAt: z.number().int().nonnegative(),
    gatewayId: z.string().min(1),
    schemaVersion: z.number().int().nonnegative(),
    epoch: z.string().nullable(),
  })
  .strict();
export type BackupHeader = z.infer<typeof BackupHeaderSchema>;

/** Where the key of a backup comes from: a passphrase (scrypt) or a 32-byte key file. */
export type BackupSecret = { passphrase: string } | { key: Buffer };

/** The passphrase or key does not open this file (or its header was changed). */
export class WrongKeyError extends Error {
  constructor(file: string, how: string) {
    super(`${file}: wrong ${how} for this backup (or its header is damaged); nothing was changed`);
    this.name = 'WrongKeyError';
  }
}

/** The file is not a backup, was changed, cut short or is damaged. */
export class DamagedBackupError extends Error {
  constructor(file: string, detail: string) {
    super(`${file} is damaged or was changed: ${detail}; nothing was changed`);
    this.name = 'DamagedBackupError';
  }
}

export const DEFAULT_SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const;

interface Keys {
  enc: Buffer;
  check: string;
}

function deriveKeys(secret: BackupSecret, kdf: Kdf): Keys {
  const salt = Buffer.from(kdf.salt, 'base64');
  let fileKey: Buffer;
  if (kdf.kind === 'scrypt') {
    if (!('passphrase' in secret)) throw new Error('this backup was made with a passphrase: give one, not a key file');
    fileKey = scryptSync(secret.passphrase.normalize('NFC'), salt, 32, {
      N: kdf.N,
      r: kdf.r,
      p: kdf.p,
      maxmem: 256 * kdf.N * kdf.r + (1 << 20),
    });
  } else {
    if (!('key' in secret)) throw new Error('this backup was made with a key file: give that, not a passphrase');
    fileKey = Buffer.from(hkdfSync('sha256', secret.key, salt, 'linli-backup file key', 32));
  }
  const enc = Buffer.from(hkdfSync('sha256', fileKey, Buffer.alloc(0), 'linli-backup aes-256-gcm', 32));
  const check = createHmac(
    'sha256',
    Buffer.from(hkdfSync('sha256', fileKey, Buffer.alloc(0), 'linli-backup check', 32)),
  )
    .update('linli-backup key check')
    .digest('hex')
    .slice(0, 32);
  return { enc, check };
}

function chunkAad(headerHash: Buffer, index: number, final: boolean, length: number): Buffer {
  const aad = Buffer.alloc(headerHash.length + 13);
  headerHash.copy(aad, 0);
  aad.writeBigUInt64BE(BigInt(index), headerHash.length);
  aad.writeUInt8(final ? 1 : 0, headerHash.length + 8);
  aad.writeUInt32BE(length, headerHash.length + 9);
  return aad;
}

function chunkNonce(prefix: Buffer, index: number): Buffer {
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0, 0, 4);
  nonce.writeBigUInt64BE(BigInt(index), 4);
  return nonce;
}

/** Writes a backup's header, then its payload in encrypted chunks, to an open file descriptor. */
export class EncryptingWriter {
  private readonly pending: Buffer;
  private used = 0;
  private index = 0;
  private readonly keys: Keys;
  private readonly headerHash: Buffer;
  private readonly noncePrefix: Buffer;
  private finished = false;
  /** Bytes written to the file so far. */
  bytes = 0;

  constructor(
    private readonly fd: number,
    secret: BackupSecret,
    meta: Pick<BackupHeader, 'createdAt' | 'gatewayId' | 'schemaVersion' | 'epoch'>,
    scrypt: { N: number; r: number; p: number } = DEFAULT_SCRYPT,
  ) {
    const salt = randomBytes(16).toString('base64');
    const kdf: Kdf = 'passphrase' in secret ? { kind: 'scrypt', ...scrypt, salt } : { kind: 'key-file', salt };
    this.keys = deriveKeys(secret, kdf);
    this.noncePrefix = randomBytes(4);
    const header = BackupHeaderSchema.parse({
      format: FORMAT_VERSION,
      kdf,
      nonce: this.noncePrefix.toString('base64'),
      chunkBytes: CHUNK_BYTES,
      keyCheck: this.keys.check,
      ...meta,
    });
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(json.length);
    const head = Buffer.concat([MAGIC, len, json]);
    this.headerHash = createHash('sha256').update(head).digest();
    this.put(head);
    this.pending = Buffer.allocUnsafe(CHUNK_BYTES);
  }

  /** Adds payload bytes; a full chunk is encrypted and written at once. */
  write(data: Buffer): void {
    if (this.finished) throw new Error('backup: write after finish');
    let at = 0;
    while (at < data.length) {
      // a full chunk waits for the next byte: the last chunk must be the one flagged final
      if (this.used === CHUNK_BYTES) this.flush(false);
      const n = Math.min(data.length - at, CHUNK_BYTES - this.used);
      data.copy(this.pending, this.used, at, at + n);
      this.used += n;
      at += n;
    }
  }

  /** Writes the last chunk, flagged final: a file cut anywhere before its end no longer authenticates. */
  finish(): void {
    if (this.finished) return;
    this.flush(true);
    this.finished = true;
  }

  private flush(final: boolean): void {
    const plain = this.pending.subarray(0, this.used);
    const cipher = createCipheriv('aes-256-gcm', this.keys.enc, chunkNonce(this.noncePrefix, this.index));
    cipher.setAAD(chunkAad(this.headerHash, this.index, final, plain.length));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(plain.length);
    this.put(len);
    this.put(cipher.update(plain));
    this.put(cipher.final());
    this.put(cipher.getAuthTag());
    this.index += 1;
    this.used = 0;
  }

  private put(b: Buffer): void {
    let at = 0;
    while (at < b.length) at += writeSync(this.fd, b, at, b.length - at);
    this.bytes += b.length;
  }
}

/** Reads exactly `n` bytes at `pos`, or fewer at the end of the file. */
function readAt(fd: number, n: number, pos: number): Buffer {
  const buf = Buffer.allocUnsafe(n);
  let got = 0;
  while (got < n) {
    const r = readSync(fd, buf, got, n - got, pos + got);
    if (r === 0) break;
    got += r;
  }
  return buf.subarray(0, got);
}

/** Reads a backup file's header without the key: what it is, when, from which gateway. */
export function readHeader(fd: number, file: string): { header: BackupHeader; headerHash: Buffer; end: number } {
  const start = readAt(fd, MAGIC.length + 4, 0);
  if (start.length < MAGIC.length + 4 || !start.subarray(0, MAGIC.length).equals(MAGIC))
    throw new DamagedBackupError(file, 'it does not start like a Linli backup');
  const len = start.readUInt32BE(MAGIC.length);
  if (len > MAX_HEADER_BYTES) throw new DamagedBackupError(file, 'its header length is impossible');
  const json = readAt(fd, len, start.length);
  if (json.length < len) throw new DamagedBackupError(file, 'it ends inside its header');
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString('utf8'));
  } catch {
    throw new DamagedBackupError(file, 'its header is not readable');
  }
  if (
    (raw as { format?: unknown })?.format !== FORMAT_VERSION &&
    typeof (raw as { format?: unknown })?.format === 'number'
  )
    throw new DamagedBackupError(
      file,
      `it is backup format ${(raw as { format: number }).format}, this linli reads format ${FORMAT_VERSION}`,
    );
  const parsed = BackupHeaderSchema.safeParse(raw);
  if (!parsed.success) throw new DamagedBackupError(file, 'its header is not valid');
  const headerHash = createHash('sha256').update(start).update(json).digest();
  return { header: parsed.data, headerHash, end: start.length + len };
}

/** Reads a backup's payload back, chunk by chunk, each authenticated before any byte of it is handed out. */
export class DecryptingReader {
  readonly header: BackupHeader;
  private readonly headerHash: Buffer;
  private readonly enc: Buffer;
  private readonly noncePrefix: Buffer;
  private pos: number;
  private index = 0;
  private done = false;
  private current: Buffer = Buffer.alloc(0);
  private at = 0;

  constructor(
    private readonly fd: number,
    private readonly file: string,
    secret: BackupSecret,
  ) {
    const { header, headerHash, end } = readHeader(fd, file);
    this.header = header;
    this.headerHash = headerHash;
    this.pos = end;
    this.noncePrefix = Buffer.from(header.nonce, 'base64');
    if (this.noncePrefix.length !== 4) throw new DamagedBackupError(file, 'its header is not valid');
    const keys = deriveKeys(secret, header.kdf);
    if (keys.check !== header.keyCheck)
      throw new WrongKeyError(file, header.kdf.kind === 'scrypt' ? 'passphrase' : 'key file');
    this.enc = keys.enc;
  }

  /** The next authenticated chunk of plaintext, or undefined after the final one. */
  nextChunk(): Buffer | undefined {
    if (this.done) return undefined;
    const lenBuf = readAt(this.fd, 4, this.pos);
    if (lenBuf.length < 4) throw new DamagedBackupError(this.file, 'it was cut short');
    const len = lenBuf.readUInt32BE(0);
    if (len > this.header.chunkBytes) throw new DamagedBackupError(this.file, `chunk ${this.index} has a bad length`);
    const body = readAt(this.fd, len + TAG_BYTES, this.pos + 4);
    if (body.length < len + TAG_BYTES) throw new DamagedBackupError(this.file, 'it was cut short');
    this.pos += 4 + len + TAG_BYTES;
    const plain = this.open(body, len, this.peekEnd());
    this.index += 1;
    return plain;
  }

  private peekEnd(): boolean {
    return readAt(this.fd, 1, this.pos).length === 0;
  }

  private open(body: Buffer, len: number, last: boolean): Buffer {
    const tryOpen = (final: boolean): Buffer | undefined => {
      const d = createDecipheriv('aes-256-gcm', this.enc, chunkNonce(this.noncePrefix, this.index));
      d.setAAD(chunkAad(this.headerHash, this.index, final, len));
      d.setAuthTag(body.subarray(len));
      const out = d.update(body.subarray(0, len));
      try {
        d.final();
        return out;
      } catch {
        return undefined;
      }
    };
    // the last chunk in the file must be flagged final, and only it: anything else is a cut or an append
    const plain = tryOpen(last);
    if (plain) {
      if (last) this.done = true;
      return plain;
    }
    if (!last && tryOpen(true)) throw new DamagedBackupError(this.file, 'bytes were appended after its end');
    if (last && tryOpen(false)) throw new DamagedBackupError(this.file, 'it was cut short');
    throw new DamagedBackupError(this.file, `chunk ${this.index} does not authenticate`);
  }

  /** Exactly `n` payload bytes (across chunks). */
  read(n: number): Buffer {
    const parts: Buffer[] = [];
    let need = n;
    while (need > 0) {
      const piece = this.take(need);
      if (!piece) throw new DamagedBackupError(this.file, 'its archive ends early');
      parts.push(piece);
      need -= piece.length;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  /** Up to `max` payload bytes from the current chunk (reading the next when it is used up). */
  take(max: number): Buffer | undefined {
    while (this.at >= this.current.length) {
      const next = this.nextChunk();
      if (!next) return undefined;
      this.current = next;
      this.at = 0;
    }
    const n = Math.min(max, this.current.length - this.at);
    const piece = this.current.subarray(this.at, this.at + n);
    this.at += n;
    return piece;
  }

  /** Whether every chunk was read and the final one authenticated. */
  atEnd(): boolean {
    if (this.at < this.current.length) return false;
    const next = this.nextChunk();
    if (next === undefined) return true;
    this.current = next;
    this.at = 0;
    return next.length === 0 ? this.atEnd() : false;
  }
}
