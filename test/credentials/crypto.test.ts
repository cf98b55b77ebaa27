import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aesCmac } from '../../gateway/redemption/credentials/aes-cmac.ts';
import { cardFileReadKey, diversifyAes128 } from '../../gateway/redemption/credentials/key-diversification.ts';
import { decryptPiccData, sessionMacKey, sunMac, verifySun } from '../../gateway/redemption/credentials/ntag424-sun.ts';
import {
  issueCredential,
  makeQrCode,
  rawPublicKey,
  verifyQrCode,
} from '../../gateway/redemption/credentials/qr-credential.ts';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('AES-CMAC (RFC 4493 test vectors)', () => {
  const K = hex('2b7e151628aed2a6abf7158809cf4f3c');
  const M = hex(
    '6bc1bee22e409f96e93d7e117393172a' +
      'ae2d8a571e03ac9c9eb76fac45af8e51' +
      '30c81c46a35ce411e5fbc1191a0a52ef' +
      'f69f2445df4f9b17ad2b417be66c3710',
  );
  const vectors: [number, string][] = [
    [0, 'bb1d6929e95937287fa37d129b756746'],
    [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'],
    [64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ];
  for (const [len, mac] of vectors)
    it(`${len} bytes`, () => expect(aesCmac(K, M.subarray(0, len)).toString('hex')).toBe(mac));
});

describe('NXP AN10922 key diversification', () => {
  it('matches the application note example', () => {
    const input = hex('04782E21801D80' + '3042F5' + '4E585020416275'); // UID ‖ AID ‖ "NXP Abu"
    expect(diversifyAes128(hex('00112233445566778899AABBCCDDEEFF'), input).toString('hex').toUpperCase()).toBe(
      'A8DD63A3B89D54B37CA802473FDA9175',
    );
  });
  it('gives every card its own key', () => {
    const m = randomBytes(16);
    expect(cardFileReadKey(m, hex('04DE5F1EACC040')).equals(cardFileReadKey(m, hex('04DE5F1EACC041')))).toBe(false);
  });
});

describe('NTAG 424 DNA SUN messages (NXP AN12196 example)', () => {
  const zero = Buffer.alloc(16);
  const PICC = 'EF963FF7828658A599F3041510671E88';
  const MAC = '94EED9EE65337086';
  it('decrypts UID and counter and verifies the MAC', () => {
    expect(decryptPiccData(PICC, zero)).toEqual({ uid: hex('04DE5F1EACC040'), counter: 61 });
    expect(verifySun({ picc: PICC, cmac: MAC, metaKey: zero, fileReadKeyFor: () => zero })).toEqual({
      ok: true,
      uid: hex('04DE5F1EACC040'),
      counter: 61,
    });
    expect(
      verifySun({ picc: PICC.toLowerCase(), cmac: MAC.toLowerCase(), metaKey: zero, fileReadKeyFor: () => zero }).ok,
    ).toBe(true);
  });
  const bad: [string, Parameters<typeof verifySun>[0], string][] = [
    [
      'a flipped MAC byte',
      { picc: PICC, cmac: '94EED9EE65337087', metaKey: zero, fileReadKeyFor: () => zero },
      'SUN_BAD_MAC',
    ],
    [
      'a wrong file key',
      { picc: PICC, cmac: MAC, metaKey: zero, fileReadKeyFor: () => Buffer.alloc(16, 1) },
      'SUN_BAD_MAC',
    ],
    [
      'a wrong meta key (tag byte)',
      { picc: PICC, cmac: MAC, metaKey: Buffer.alloc(16, 1), fileReadKeyFor: () => zero },
      'SUN_BAD_PICC_DATA',
    ],
    ['malformed hex', { picc: 'XYZ', cmac: MAC, metaKey: zero, fileReadKeyFor: () => zero }, 'SUN_MALFORMED'],
    ['short MAC', { picc: PICC, cmac: '94EE', metaKey: zero, fileReadKeyFor: () => zero }, 'SUN_MALFORMED'],
  ];
  for (const [name, input, code] of bad)
    it(`refuses ${name}`, () => expect(verifySun(input)).toEqual({ ok: false, code }));
  it('builds the session key per AN12196 (CMAC over 3CC300010080 ‖ UID ‖ counter)', () => {
    expect(
      sunMac(sessionMacKey(zero, hex('04DE5F1EACC040'), 61))
        .toString('hex')
        .toUpperCase(),
    ).toBe(MAC);
  });
});

describe('signed rotating QR codes', () => {
  const cloud = generateKeyPairSync('ed25519');
  const phone = generateKeyPairSync('ed25519');
  const trustedKeys = new Map([['cloud-1', cloud.publicKey]]);
  const now = Date.UTC(2026, 10, 22, 2, 0);
  const fields = {
    kid: 'cloud-1',
    credentialId: hex('00112233445566778899AABBCCDDEEFF'),
    memberRef: 'm-0042',
    exp: Math.floor(now / 1000) + 86400,
    devicePublicKey: rawPublicKey(phone.publicKey),
  };
  const { credential, cloudSig } = issueCredential(fields, cloud.privateKey);
  const code = makeQrCode(credential, cloudSig, phone.privateKey, now);

  it('verifies offline and yields the credential and step', () => {
    expect(verifyQrCode(code, { trustedKeys, nowMs: now })).toMatchObject({
      ok: true,
      memberRef: 'm-0042',
      credentialId: '00112233445566778899AABBCCDDEEFF',
      step: Math.floor(now / 30000),
    });
    expect(code.length).toBeLessThan(300);
  });
  it('accepts one step of clock skew, not two (a screenshot goes stale)', () => {
    expect(verifyQrCode(code, { trustedKeys, nowMs: now + 30_000 }).ok).toBe(true);
    expect(verifyQrCode(code, { trustedKeys, nowMs: now + 60_000 })).toEqual({ ok: false, code: 'QR_STALE' });
  });
  it('refuses expired credentials, unknown keys, forged and tampered codes', () => {
    expect(verifyQrCode(code, { trustedKeys, nowMs: fields.exp * 1000 })).toEqual({ ok: false, code: 'QR_EXPIRED' });
    expect(verifyQrCode(code, { trustedKeys: new Map(), nowMs: now })).toEqual({ ok: false, code: 'QR_UNKNOWN_KEY' });
    const forger = generateKeyPairSync('ed25519');
    const forged = issueCredential(fields, forger.privateKey);
    expect(
      verifyQrCode(makeQrCode(forged.credential, forged.cloudSig, phone.privateKey, now), { trustedKeys, nowMs: now }),
    ).toEqual({ ok: false, code: 'QR_BAD_SIGNATURE' });
    expect(verifyQrCode(makeQrCode(credential, cloudSig, forger.privateKey, now), { trustedKeys, nowMs: now })).toEqual(
      { ok: false, code: 'QR_BAD_DEVICE_SIGNATURE' },
    );
    const raw = Buffer.from(code.slice(4), 'base64url');
    for (let i = 0; i < raw.length; i += 7) {
      const t = Buffer.from(raw);
      t[i] = (t[i] as number) ^ 0x01;
      expect(verifyQrCode(`LQ1.${t.toString('base64url')}`, { trustedKeys, nowMs: now }).ok, `byte ${i}`).toBe(false);
    }
  });
  it('never throws on garbage', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        expect(verifyQrCode(`LQ1.${s}`, { trustedKeys, nowMs: now }).ok).toBe(false);
      }),
      { numRuns: 1000, seed: 5 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (a) => {
        expect(verifyQrCode(`LQ1.${Buffer.from(a).toString('base64url')}`, { trustedKeys, nowMs: now }).ok).toBe(false);
      }),
      { numRuns: 500, seed: 6 },
    );
  });
});
