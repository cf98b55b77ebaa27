import { generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Issues the local CA's and the broker's certificates: ECDSA P-256 keys from node:crypto, X.509 built by
 * @peculiar/x509 on node's WebCrypto. The library (and tsyringe's need for the reflect-metadata polyfill)
 * is loaded only when a certificate is issued, on first start and at renewal: a start that reuses its
 * certificates reads them with node's own X509Certificate and never pays the ~100 ms the library takes to load.
 */

type X509 = typeof import('@peculiar/x509');

let loaded: Promise<X509> | undefined;

function x509(): Promise<X509> {
  loaded ??= (async () => {
    // tsyringe, which @peculiar/x509 uses inside, refuses to load without the Reflect metadata API
    await import('reflect-metadata');
    const lib = await import('@peculiar/x509');
    lib.cryptoProvider.set(webcrypto as unknown as Parameters<typeof lib.cryptoProvider.set>[0]);
    return lib;
  })();
  return loaded;
}

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface Issued {
  /** PEM */
  cert: string;
  /** PKCS#8 PEM */
  key: string;
}

interface KeyPair {
  pem: string;
  keys: webcrypto.CryptoKeyPair;
}

async function newKeyPair(): Promise<KeyPair> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const subtle = webcrypto.subtle;
  const keys = {
    privateKey: await subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), ECDSA, false, [
      'sign',
    ]),
    publicKey: await subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), ECDSA, true, [
      'verify',
    ]),
  };
  return { pem, keys };
}

async function signingKeyOf(pem: string): Promise<webcrypto.CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, ECDSA, false, ['sign']);
}

/** A positive 128-bit serial (RFC 5280 §4.1.2.2: unique per CA, at most 20 bytes). */
function serial(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x01;
  return b.toString('hex');
}

export async function issueCa(o: { gatewayId: string; notBefore: Date; notAfter: Date }): Promise<Issued> {
  const lib = await x509();
  const pair = await newKeyPair();
  const cert = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [`Linli local CA ${o.gatewayId}`] }, { O: ['Linli'] }],
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    keys: pair.keys,
    signingAlgorithm: ECDSA,
    extensions: [
      // it signs server certificates only: no intermediate below it
      new lib.BasicConstraintsExtension(true, 0, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true),
      await lib.SubjectKeyIdentifierExtension.create(pair.keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: pair.pem };
}

export async function issueServer(o: {
  ca: Issued;
  commonName: string;
  /** Host names and IP addresses, each a subjectAltName. */
  names: readonly string[];
  notBefore: Date;
  notAfter: Date;
}): Promise<Issued> {
  const lib = await x509();
  const pair = await newKeyPair();
  const ca = new lib.X509Certificate(o.ca.cert);
  const cert = await lib.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: [{ CN: [o.commonName] }, { O: ['Linli'] }],
    issuer: ca.subjectName,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    publicKey: pair.keys.publicKey,
    signingKey: await signingKeyOf(o.ca.key),
    signingAlgorithm: ECDSA,
    extensions: [
      new lib.BasicConstraintsExtension(false, undefined, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature, true),
      new lib.ExtendedKeyUsageExtension([lib.ExtendedKeyUsage.serverAuth]),
      new lib.SubjectAlternativeNameExtension(
        o.names.map((value) => ({ type: isIP(value) === 0 ? ('dns' as const) : ('ip' as const), value })),
      ),
      await lib.AuthorityKeyIdentifierExtension.create(ca),
      await lib.SubjectKeyIdentifierExtension.create(pair.keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: pair.pem };
}
