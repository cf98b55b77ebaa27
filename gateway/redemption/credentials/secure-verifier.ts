import type { KeyObject } from 'node:crypto';
import type { SecureCredentialVerifier } from '../device/credential-resolver.ts';
import { cardFileReadKey } from './key-diversification.ts';
import { verifySun } from './ntag424-sun.ts';
import { trustedKeysFrom, verifyQrCode } from './qr-credential.ts';

/** The gateway's verifier of secure cards and codes, from its redemption settings. */
export function createSecureVerifier(settings: {
  secureCards?: { sdmMetaReadKey: string; fileReadMasterKey: string } | undefined;
  qrTrustedKeys: readonly { kid: string; publicKey: string }[];
  qrStepS: number;
}): SecureCredentialVerifier | undefined {
  const cards = settings.secureCards;
  const qrKeys: Map<string, KeyObject> = trustedKeysFrom(settings.qrTrustedKeys);
  if (!cards && qrKeys.size === 0) return undefined;
  const meta = cards ? Buffer.from(cards.sdmMetaReadKey, 'hex') : undefined;
  const master = cards ? Buffer.from(cards.fileReadMasterKey, 'hex') : undefined;
  return {
    verifySun(picc, cmac) {
      if (!meta || !master) return { ok: false, code: 'SUN_NOT_CONFIGURED' };
      const r = verifySun({ picc, cmac, metaKey: meta, fileReadKeyFor: (uid) => cardFileReadKey(master, uid) });
      return r.ok ? { ok: true, uid: r.uid.toString('hex').toUpperCase(), counter: r.counter } : r;
    },
    verifyQr(code, nowMs) {
      if (qrKeys.size === 0) return { ok: false, code: 'QR_NOT_CONFIGURED' };
      const r = verifyQrCode(code, { trustedKeys: qrKeys, nowMs, stepS: settings.qrStepS, allowStale: true });
      return r.ok ? { ok: true, credentialId: r.credentialId, step: r.step, stale: r.stale } : r;
    },
  };
}
