import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { cardFileReadKey } from '../../gateway/redemption/credentials/key-diversification.ts';
import { makeSunMessage, verifySun } from '../../gateway/redemption/credentials/ntag424-sun.ts';
import { issueCredential, makeQrCode, rawPublicKey } from '../../gateway/redemption/credentials/qr-credential.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { startGateway, type Harness } from '../support/gateway-harness.ts';

const META = Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex');
const MASTER = Buffer.from('F0E0D0C0B0A090807060504030201000', 'hex');
const UID = Buffer.from('04DE5F1EACC040', 'hex');
const CRED_ID = Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex');

describe('secure cards and codes at the staff desk and the devices', () => {
  const cloud = generateKeyPairSync('ed25519');
  const phone = generateKeyPairSync('ed25519');
  let h: Harness;
  const lookup = (credential: unknown) => h.api('/api/v1/members/lookup', { method: 'POST', body: { credential } });

  beforeEach(async () => {
    h = await startGateway({
      redemption: {
        secureCards: { sdmMetaReadKey: META.toString('hex'), fileReadMasterKey: MASTER.toString('hex') },
        qrTrustedKeys: [{ kid: 'cloud-1', publicKey: rawPublicKey(cloud.publicKey).toString('base64url') }],
      },
    } as never);
    loadInto(
      h.gw.store,
      h.dataDir,
      FixtureSchema.parse({
        members: [
          {
            id: 'm-1',
            walletFen: 1000,
            cards: [
              { type: 'sun', uid: UID.toString('hex') },
              { type: 'qr', credentialId: CRED_ID.toString('hex') },
            ],
          },
        ],
      }),
    );
  });
  afterEach(() => h.stop());

  it('an NTAG 424 DNA tap identifies the member; a replayed or older tap is refused', async () => {
    const key = cardFileReadKey(MASTER, UID);
    const tap5 = makeSunMessage(UID, 5, META, key);
    expect(verifySun({ ...tap5, metaKey: META, fileReadKeyFor: () => key }).ok).toBe(true);
    expect((await lookup({ type: 'sun', ...tap5 })).body).toMatchObject({ memberId: 'm-1', walletFen: 1000 });
    expect((await lookup({ type: 'sun', ...tap5 })).body.error.code).toBe('CARD_REPLAYED');
    expect((await lookup({ type: 'sun', ...makeSunMessage(UID, 4, META, key) })).body.error.code).toBe('CARD_REPLAYED');
    expect((await lookup({ type: 'sun', ...makeSunMessage(UID, 6, META, key) })).status).toBe(200);
    // a clone that copied the UID but not the key
    expect((await lookup({ type: 'sun', ...makeSunMessage(UID, 7, META, Buffer.alloc(16)) })).body.error.code).toBe(
      'CREDENTIAL_INVALID',
    );
  });

  it('a rotating QR code works once; its screenshot does not', async () => {
    const { credential, cloudSig } = issueCredential(
      {
        kid: 'cloud-1',
        credentialId: CRED_ID,
        memberRef: 'm-1',
        exp: Math.floor(Date.now() / 1000) + 3600,
        devicePublicKey: rawPublicKey(phone.publicKey),
      },
      cloud.privateKey,
    );
    const code = makeQrCode(credential, cloudSig, phone.privateKey, Date.now());
    expect((await lookup({ type: 'qr', code })).body).toMatchObject({ memberId: 'm-1' });
    expect((await lookup({ type: 'qr', code })).body.error.code).toBe('CARD_REPLAYED');
    const stale = makeQrCode(credential, cloudSig, phone.privateKey, Date.now() - 120_000);
    expect((await lookup({ type: 'qr', code: stale })).body.error.code).toBe('CARD_REPLAYED');
  });

  it('card identifiers never reach the database in clear', () => {
    const dump = JSON.stringify(h.gw.store.db.prepare('SELECT * FROM credentials').all());
    expect(dump).not.toContain(UID.toString('hex').toUpperCase());
    expect(dump).not.toContain(CRED_ID.toString('hex').toUpperCase());
  });
});
