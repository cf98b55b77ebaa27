import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Signed, rotating member QR codes, verifiable offline.
 * The cloud issues each member's phone a credential — version, key id, credential id (16 bytes),
 * pseudonymous member ref, expiry (unix s), the phone's Ed25519 public key — signed with the cloud's
 * Ed25519 key. Every `stepS` seconds the phone shows
 *   "LQ1." + base64url( credential ‖ cloudSig(64) ‖ step(uint32 BE) ‖ phoneSig(64) )
 * where phoneSig signs "LINLI-QR1" ‖ credentialId ‖ step. The gateway needs only the cloud's public
 * keys: it checks both signatures, the expiry, and that the step is now (±1 for clock skew). Each step
 * is accepted once per credential (stored durably), so a screenshot is worthless within a minute.
 */
interface CredentialFields {
  kid: string;
  credentialId: Buffer;
  memberRef: string;
  exp: number;
  devicePublicKey: Buffer;
}

type QrVerdict =
  | { ok: true; memberRef: string; credentialId: string; step: number; exp: number; stale: boolean }
  | {
      ok: false;
      code:
        | 'QR_MALFORMED'
        | 'QR_UNKNOWN_KEY'
        | 'QR_BAD_SIGNATURE'
        | 'QR_EXPIRED'
        | 'QR_STALE'
        | 'QR_BAD_DEVICE_SIGNATURE';
    };

const PREFIX = 'LQ1.';
const DOMAIN = Buffer.from('LINLI-QR1', 'ascii');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

function ed25519PublicFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
}

export function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519.length);
}

function encodeCredential(f: CredentialFields): Buffer {
  const kid = Buffer.from(f.kid, 'utf8');
  const member = Buffer.from(f.memberRef, 'utf8');
  if (
    kid.length < 1 ||
    kid.length > 16 ||
    member.length < 1 ||
    member.length > 40 ||
    f.credentialId.length !== 16 ||
    f.devicePublicKey.length !== 32
  ) {
    throw new Error('credential fields out of range');
  }
  const exp = Buffer.alloc(4);
  exp.writeUInt32BE(f.exp);
  return Buffer.concat([
    Buffer.from([1, kid.length]),
    kid,
    f.credentialId,
    Buffer.from([member.length]),
    member,
    exp,
    f.devicePublicKey,
  ]);
}

/** Cloud side (and the cloud simulator): sign a credential. */
export function issueCredential(
  f: CredentialFields,
  cloudPrivateKey: KeyObject,
): { credential: Buffer; cloudSig: Buffer } {
  const credential = encodeCredential(f);
  return { credential, cloudSig: sign(null, credential, cloudPrivateKey) };
}

/** Phone side: the code to show at `nowMs`. */
export function makeQrCode(
  credential: Buffer,
  cloudSig: Buffer,
  devicePrivateKey: KeyObject,
  nowMs: number,
  stepS = 30,
): string {
  const step = Math.floor(nowMs / 1000 / stepS);
  const stepBuf = Buffer.alloc(4);
  stepBuf.writeUInt32BE(step);
  const credentialId = credential.subarray(2 + (credential[1] ?? 0), 18 + (credential[1] ?? 0));
  const phoneSig = sign(null, Buffer.concat([DOMAIN, credentialId, stepBuf]), devicePrivateKey);
  return PREFIX + Buffer.concat([credential, cloudSig, stepBuf, phoneSig]).toString('base64url');
}

/** Gateway side: verify offline. Never throws, whatever the input. */
export function verifyQrCode(
  code: string,
  opts: {
    trustedKeys: ReadonlyMap<string, KeyObject>;
    nowMs: number;
    stepS?: number;
    skewSteps?: number;
    allowStale?: boolean;
  },
): QrVerdict {
  try {
    if (!code.startsWith(PREFIX) || code.length > 1024) return { ok: false, code: 'QR_MALFORMED' };
    const b = Buffer.from(code.slice(PREFIX.length), 'base64url');
    let p = 0;
    const take = (n: number) => {
      if (p + n > b.length) throw new RangeError('short');
      const s = b.subarray(p, p + n);
      p += n;
      return s;
    };
    if (take(1)[0] !== 1) return { ok: false, code: 'QR_MALFORMED' };
    const kid = take(take(1)[0] ?? 0).toString('utf8');
    const credentialId = take(16);
    const memberRef = take(take(1)[0] ?? 0).toString('utf8');
    const exp = take(4).readUInt32BE();
    const devicePublicKey = take(32);
    const credential = b.subarray(0, p);
    const cloudSig = take(64);
    const stepBuf = take(4);
    const phoneSig = take(64);
    if (p !== b.length || kid.length === 0 || memberRef.length === 0) return { ok: false, code: 'QR_MALFORMED' };
    const key = opts.trustedKeys.get(kid);
    if (!key) return { ok: false, code: 'QR_UNKNOWN_KEY' };
    if (!verify(null, credential, key, cloudSig)) return { ok: false, code: 'QR_BAD_SIGNATURE' };
    if (opts.nowMs >= exp * 1000) return { ok: false, code: 'QR_EXPIRED' };
    const step = stepBuf.readUInt32BE();
    if (!verify(null, Buffer.concat([DOMAIN, credentialId, stepBuf]), ed25519PublicFromRaw(devicePublicKey), phoneSig))
      return { ok: false, code: 'QR_BAD_DEVICE_SIGNATURE' };
    const current = Math.floor(opts.nowMs / 1000 / (opts.stepS ?? 30));
    const stale = Math.abs(step - current) > (opts.skewSteps ?? 1);
    // a stale code is still genuine: with allowStale the caller decides (a retry of the request it was first shown for)
    if (stale && !opts.allowStale) return { ok: false, code: 'QR_STALE' };
    return { ok: true, memberRef, credentialId: credentialId.toString('hex').toUpperCase(), step, exp, stale };
  } catch {
    return { ok: false, code: 'QR_MALFORMED' };
  }
}

/** Loads `{kid, publicKey (raw, base64url)}` entries from the config into verification keys. */
export function trustedKeysFrom(entries: readonly { kid: string; publicKey: string }[]): Map<string, KeyObject> {
  return new Map(entries.map((e) => [e.kid, ed25519PublicFromRaw(Buffer.from(e.publicKey, 'base64url'))]));
}
