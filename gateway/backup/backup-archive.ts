import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { DamagedBackupError, type DecryptingReader, type EncryptingWriter } from './backup-crypto.ts';

/**
 * The payload inside the encryption: a plain length-prefixed archive of the few files a gateway needs
 * (no tar library for four kinds of file). An entry is `1 | u16 name length | name | u64 size | bytes`;
 * the archive ends with `0 | u32 number of entries`, so a payload cut at an entry's edge is caught too.
 */
const FILE = 1;
const END = 0;
const PIECE = 1 << 20;

/** What a backup may hold, and nothing else: a name from a file could otherwise write anywhere. */
const ALLOWED =
  /^(linli\.db|secrets\.json|config\.effective\.json|config\/[A-Za-z0-9._-]{1,100}|tls\/[A-Za-z0-9._-]{1,100})$/;

export interface ArchiveEntry {
  name: string;
  bytes: number;
}

/** Adds files to an archive being encrypted; yields to the event loop between pieces of a big file. */
export class ArchiveWriter {
  private entries = 0;

  constructor(
    private readonly out: EncryptingWriter,
    private readonly signal?: AbortSignal,
  ) {}

  async addFile(name: string, file: string): Promise<ArchiveEntry> {
    if (!ALLOWED.test(name)) throw new Error(`backup: ${name} is not a name a backup holds`);
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      this.entryHeader(name, size);
      const buf = Buffer.allocUnsafe(PIECE);
      let done = 0;
      while (done < size) {
        const n = readSync(fd, buf, 0, Math.min(PIECE, size - done), done);
        if (n === 0) throw new Error(`backup: ${file} became shorter while it was read`);
        this.out.write(buf.subarray(0, n));
        done += n;
        await yieldToLoop();
        this.signal?.throwIfAborted();
      }
      this.entries += 1;
      return { name, bytes: size };
    } finally {
      closeSync(fd);
    }
  }

  addBytes(name: string, data: Buffer): ArchiveEntry {
    if (!ALLOWED.test(name)) throw new Error(`backup: ${name} is not a name a backup holds`);
    this.entryHeader(name, data.length);
    this.out.write(data);
    this.entries += 1;
    return { name, bytes: data.length };
  }

  end(): void {
    const tail = Buffer.alloc(5);
    tail.writeUInt8(END, 0);
    tail.writeUInt32BE(this.entries, 1);
    this.out.write(tail);
  }

  private entryHeader(name: string, size: number): void {
    const nameBuf = Buffer.from(name, 'utf8');
    const head = Buffer.alloc(1 + 2 + nameBuf.length + 8);
    head.writeUInt8(FILE, 0);
    head.writeUInt16BE(nameBuf.length, 1);
    nameBuf.copy(head, 3);
    head.writeBigUInt64BE(BigInt(size), 3 + nameBuf.length);
    this.out.write(head);
  }
}

/**
 * Unpacks a decrypted archive into `dest` (files 0600, folders 0700, each fsynced), or, without `dest`,
 * only reads it through (every chunk authenticated). Throws on anything a backup never holds.
 */
export async function extractArchive(
  reader: DecryptingReader,
  file: string,
  dest: string | undefined,
): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  for (;;) {
    const kind = reader.read(1).readUInt8(0);
    if (kind === END) {
      const count = reader.read(4).readUInt32BE(0);
      if (count !== entries.length) throw new DamagedBackupError(file, 'its archive lost entries');
      if (!reader.atEnd()) throw new DamagedBackupError(file, 'there are bytes after its archive');
      return entries;
    }
    if (kind !== FILE) throw new DamagedBackupError(file, 'its archive is not readable');
    const nameLen = reader.read(2).readUInt16BE(0);
    const name = reader.read(nameLen).toString('utf8');
    if (!ALLOWED.test(name) || entries.some((e) => e.name === name))
      throw new DamagedBackupError(file, `its archive names an unexpected file ${JSON.stringify(name)}`);
    const size = Number(reader.read(8).readBigUInt64BE(0));
    let fd: number | undefined;
    if (dest) {
      const target = join(dest, name);
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      fd = openSync(target, 'wx', 0o600);
    }
    try {
      let left = size;
      while (left > 0) {
        const piece = reader.take(Math.min(left, PIECE));
        if (!piece) throw new DamagedBackupError(file, 'its archive ends early');
        if (fd !== undefined) {
          let at = 0;
          while (at < piece.length) at += writeSync(fd, piece, at, piece.length - at);
        }
        left -= piece.length;
        await yieldToLoop();
      }
      if (fd !== undefined) fsyncSync(fd);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    entries.push({ name, bytes: size });
  }
}
