import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { WireCredential } from '../../firmware-protocol/src/messages/credential.ts';
import { cardFileReadKey } from '../../gateway/redemption/credentials/key-diversification.ts';
import { makeSunMessage } from '../../gateway/redemption/credentials/ntag424-sun.ts';
import { issueCredential, makeQrCode, rawPublicKey } from '../../gateway/redemption/credentials/qr-credential.ts';

/**
 * The keys of the demo community's secure credentials: the NTAG 424 DNA keys its cards are personalised
 * with, and the cloud key that signs its member QR codes. Made afresh at every demo start: the gateway
 * looks cards up by UID, so new keys change nothing stored.
 */
export interface DemoCardKeys {
  sdmMetaReadKey: Buffer;
  fileReadMasterKey: Buffer;
  qr: { kid: string; privateKey: KeyObject; publicKey: string };
}

export function generateDemoCardKeys(): DemoCardKeys {
  const pair = generateKeyPairSync('ed25519');
  return {
    sdmMetaReadKey: randomBytes(16),
    fileReadMasterKey: randomBytes(16),
    qr: { kid: 'demo-qr', privateKey: pair.privateKey, publicKey: rawPublicKey(pair.publicKey).toString('base64url') },
  };
}

/** The gateway's `redemption` settings that trust these keys. */
export function redemptionSettingsFor(keys: DemoCardKeys) {
  return {
    secureCards: {
      sdmMetaReadKey: keys.sdmMetaReadKey.toString('hex'),
      fileReadMasterKey: keys.fileReadMasterKey.toString('hex'),
    },
    qrTrustedKeys: [{ kid: keys.qr.kid, publicKey: keys.qr.publicKey }],
  };
}

/**
 * A secure card: every tap counts up (SDMReadCtr), as the real card does in its own memory. `lastCounter`
 * is where the card left off (the gateway refuses a counter it has seen).
 */
export function sunCard(uidHex: string, keys: DemoCardKeys, lastCounter: number): () => WireCredential {
  const uid = Buffer.from(uidHex, 'hex');
  const fileKey = cardFileReadKey(keys.fileReadMasterKey, uid);
  let counter = lastCounter;
  return () => {
    counter += 1;
    return { type: 'sun', ...makeSunMessage(uid, counter, keys.sdmMetaReadKey, fileKey) };
  };
}

/**
 * A member's phone with its QR credential. The code changes every `stepS` seconds and each step is
 * accepted once: a second use within one step shows the next step's code (the gateway allows one step
 * of clock skew), as a phone that refreshes its code on demand would. `lastStep`: the step the gateway
 * saw last (a demo restarted within the same step must not show it again).
 */
export function memberQr(
  credentialIdHex: string,
  memberId: string,
  keys: DemoCardKeys,
  lastStep = -1,
  now: () => number = Date.now,
  stepS = 30,
): () => WireCredential {
  const phone = generateKeyPairSync('ed25519');
  const { credential, cloudSig } = issueCredential(
    {
      kid: keys.qr.kid,
      credentialId: Buffer.from(credentialIdHex, 'hex'),
      memberRef: memberId,
      exp: Math.floor(now() / 1000) + 30 * 86_400,
      devicePublicKey: rawPublicKey(phone.publicKey),
    },
    keys.qr.privateKey,
  );
  let last = lastStep;
  return () => {
    const step = Math.max(Math.floor(now() / 1000 / stepS), last + 1);
    last = step;
    return { type: 'qr', code: makeQrCode(credential, cloudSig, phone.privateKey, step * stepS * 1000, stepS) };
  };
}
