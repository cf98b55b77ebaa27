import { createCipheriv, createDecipheriv, timingSafeEqual } from 'node:crypto';
import { aesCmac } from './aes-cmac.ts';

type SunResult =
  | { ok: true; uid: Buffer; counter: number }
  | { ok: false; code: 'SUN_MALFORMED' | 'SUN_BAD_PICC_DATA' | 'SUN_BAD_MAC' };

const HEX = /^[0-9A-Fa-f]*$/;

/** Decrypts PICCData (AES-128-CBC, zero IV): tag 0xC7 = UID (7 bytes) and SDMReadCtr (3 bytes, LE) mirrored. */
export function decryptPiccData(encHex: string, metaKey: Buffer): { uid: Buffer; counter: number } | undefined {
  if (encHex.length !== 32 || !HEX.test(encHex)) return undefined;
  const d = createDecipheriv('aes-128-cbc', metaKey, Buffer.alloc(16));
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(Buffer.from(encHex, 'hex')), d.final()]);
  if (plain[0] !== 0xc7) return undefined;
  return { uid: plain.subarray(1, 8), counter: plain.readUIntLE(8, 3) };
}

/** SesSDMFileReadMACKey = CMAC(fileReadKey, 3CC3 0001 0080 ‖ UID ‖ SDMReadCtr) (AN12196 §3.3). */
export function sessionMacKey(fileReadKey: Buffer, uid: Buffer, counter: number): Buffer {
  const ctr = Buffer.alloc(3);
  ctr.writeUIntLE(counter, 0, 3);
  return aesCmac(fileReadKey, Buffer.concat([Buffer.from('3CC300010080', 'hex'), uid, ctr]));
}

/** The SUN MAC: CMAC over the mirrored window (empty when nothing else is mirrored), odd-indexed bytes. */
export function sunMac(sessionKey: Buffer, macInput: Buffer = Buffer.alloc(0)): Buffer {
  const full = aesCmac(sessionKey, macInput);
  return Buffer.from([1, 3, 5, 7, 9, 11, 13, 15].map((i) => full[i] as number));
}

/**
 * Verifies an NTAG 424 DNA "Secure Unique NFC" message. The per-card file read key comes from
 * `fileReadKeyFor(uid)` (diversified from a master key). Whether the counter increased is the caller's
 * check, made durably in the database before anything is approved. Never throws on input.
 */
export function verifySun(opts: {
  picc: string;
  cmac: string;
  metaKey: Buffer;
  fileReadKeyFor: (uid: Buffer) => Buffer;
  macInput?: Buffer;
}): SunResult {
  if (opts.cmac.length !== 16 || !HEX.test(opts.cmac) || opts.picc.length !== 32 || !HEX.test(opts.picc))
    return { ok: false, code: 'SUN_MALFORMED' };
  const picc = decryptPiccData(opts.picc, opts.metaKey);
  if (!picc) return { ok: false, code: 'SUN_BAD_PICC_DATA' };
  const expected = sunMac(sessionMacKey(opts.fileReadKeyFor(picc.uid), picc.uid, picc.counter), opts.macInput);
  const given = Buffer.from(opts.cmac, 'hex');
  if (!timingSafeEqual(expected, given)) return { ok: false, code: 'SUN_BAD_MAC' };
  return { ok: true, uid: picc.uid, counter: picc.counter };
}

/** What a card produces on a tap (for the simulator and tests): encrypted PICC data and the SUN MAC. */
export function makeSunMessage(
  uid: Buffer,
  counter: number,
  metaKey: Buffer,
  fileReadKey: Buffer,
  pad: Buffer = Buffer.alloc(5),
): { picc: string; cmac: string } {
  const plain = Buffer.alloc(16);
  plain[0] = 0xc7;
  uid.copy(plain, 1);
  plain.writeUIntLE(counter, 8, 3);
  pad.copy(plain, 11, 0, 5);
  const c = createCipheriv('aes-128-cbc', metaKey, Buffer.alloc(16));
  c.setAutoPadding(false);
  const picc = Buffer.concat([c.update(plain), c.final()])
    .toString('hex')
    .toUpperCase();
  return {
    picc,
    cmac: sunMac(sessionMacKey(fileReadKey, uid, counter))
      .toString('hex')
      .toUpperCase(),
  };
}
