import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tlsPaths, type TlsPaths } from './tls-paths.ts';
import { issueCa, issueServer, type Issued } from './x509-issue.ts';

const DAY_MS = 86_400_000;
/** The local CA lives ten years: devices pin it, and replacing it means visiting every device. */
export const CA_LIFETIME_DAYS = 3650;
/** Under the 398 days browsers and most TLS stacks accept for a server certificate. */
export const SERVER_LIFETIME_DAYS = 365;
/** From a year before the CA expires, every check warns that the devices will need the new one. */
export const CA_WARN_DAYS = 365;
/** A device whose clock lags the gateway's a little still accepts a certificate issued just now. */
const BACKDATE_MS = 3_600_000;

export type IssueReason = 'missing' | 'expiring' | 'uncovered' | 'unreadable' | 'new_ca';

export interface LocalTlsState {
  paths: TlsPaths;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  caNotAfter: number;
  serverNotAfter: number;
  /** What this check made, and why; empty when everything on disk was reused. */
  issued: { ca?: IssueReason; server?: IssueReason };
  /** Names the server certificate had to add (when issued because of 'uncovered'). */
  uncovered: string[];
}

export interface EnsureOptions {
  dataDir: string;
  gatewayId: string;
  now: number;
  /** Every host name and address the server certificate must name (serverNames()). */
  names: readonly string[];
  renewBeforeDays: number;
}

interface OnDisk {
  pem: Issued;
  x509: X509Certificate;
}

/** A certificate and its key as written, or why they cannot be used. */
function readPair(certFile: string, keyFile: string): OnDisk | 'missing' | 'unreadable' {
  if (!existsSync(certFile) || !existsSync(keyFile)) return 'missing';
  try {
    const pem = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    const x509 = new X509Certificate(pem.cert);
    // a key that is not the certificate's would fail every handshake: made again instead
    if (!x509.checkPrivateKey(createPrivateKey(pem.key))) return 'unreadable';
    return { pem, x509 };
  } catch {
    return 'unreadable';
  }
}

const notAfterOf = (c: X509Certificate) => Date.parse(c.validTo);

/** Whether the certificate names `name` in its subjectAltName (never by its subject's CN). */
export function covers(cert: X509Certificate, name: string): boolean {
  if (isIP(name) !== 0) return cert.checkIP(name) !== undefined;
  return cert.checkHost(name, { subject: 'never' }) !== undefined;
}

/** Written beside, then renamed over: a crash or a reader never sees half a key. */
function writeAtomic(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

function writePair(certFile: string, keyFile: string, pem: Issued): void {
  // the key first: a new certificate beside an old key would be refused at the next start's check
  writeAtomic(keyFile, pem.key, 0o600);
  writeAtomic(certFile, pem.cert, 0o644);
}

/**
 * Makes sure <dataDir>/tls holds a usable local CA and server certificate, issuing what is missing,
 * unreadable, about to expire or not naming one of `names`; returns what to serve.
 *
 * The CA lasts ten years and is replaced only when it is expired or within `renewBeforeDays` of its end
 * (or its files are gone): devices that pinned the old CA then refuse the broker until they get the new one
 * (`linli provision`), which is why the caller warns from a year before. A server certificate never outlives its CA.
 */
export async function ensureLocalTls(o: EnsureOptions): Promise<LocalTlsState> {
  const paths = tlsPaths(o.dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  chmodSync(paths.dir, 0o700);
  const renewBefore = o.renewBeforeDays * DAY_MS;
  const issued: LocalTlsState['issued'] = {};

  const caOnDisk = readPair(paths.caCert, paths.caKey);
  let ca: OnDisk;
  if (typeof caOnDisk !== 'string' && notAfterOf(caOnDisk.x509) - o.now >= renewBefore) ca = caOnDisk;
  else {
    issued.ca = typeof caOnDisk === 'string' ? caOnDisk : 'expiring';
    const pem = await issueCa({
      gatewayId: o.gatewayId,
      notBefore: new Date(o.now - BACKDATE_MS),
      notAfter: new Date(o.now + CA_LIFETIME_DAYS * DAY_MS),
    });
    writePair(paths.caCert, paths.caKey, pem);
    ca = { pem, x509: new X509Certificate(pem.cert) };
  }

  const serverOnDisk = readPair(paths.serverCert, paths.serverKey);
  let server: OnDisk | undefined;
  let uncovered: string[] = [];
  if (typeof serverOnDisk === 'string') issued.server = serverOnDisk;
  else {
    const s = serverOnDisk.x509;
    uncovered = o.names.filter((n) => !covers(s, n));
    if (issued.ca || !s.checkIssued(ca.x509) || !s.verify(ca.x509.publicKey)) issued.server = 'new_ca';
    else if (notAfterOf(s) - o.now < renewBefore) issued.server = 'expiring';
    else if (uncovered.length > 0) issued.server = 'uncovered';
    else server = serverOnDisk;
  }
  if (!server) {
    const caEnd = notAfterOf(ca.x509);
    const pem = await issueServer({
      ca: ca.pem,
      commonName: o.names[0] ?? 'localhost',
      names: o.names,
      notBefore: new Date(o.now - BACKDATE_MS),
      notAfter: new Date(Math.min(o.now + SERVER_LIFETIME_DAYS * DAY_MS, caEnd)),
    });
    writePair(paths.serverCert, paths.serverKey, pem);
    server = { pem, x509: new X509Certificate(pem.cert) };
  }
  if (issued.server !== 'uncovered') uncovered = [];
  return {
    paths,
    ca: Buffer.from(ca.pem.cert),
    cert: Buffer.from(server.pem.cert),
    key: Buffer.from(server.pem.key),
    caNotAfter: notAfterOf(ca.x509),
    serverNotAfter: notAfterOf(server.x509),
    issued,
    uncovered,
  };
}

/** The CA certificate's SHA-256 fingerprint, colon-separated upper-case hex (as openssl prints it). */
export function caFingerprint(pem: string | Buffer): string {
  return new X509Certificate(pem).fingerprint256;
}
