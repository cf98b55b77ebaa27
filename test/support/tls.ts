import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './tmp.ts';

/** PEM files of a throw-away PKI for TLS tests: a CA, a server certificate for 127.0.0.1, client certificates. */
export interface TestPki {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  /** Signed by the CA. */
  client: { cert: Buffer; key: Buffer };
  /** Self-signed by another CA the broker does not trust. */
  rogue: { cert: Buffer; key: Buffer };
  ca: Buffer;
  cleanup(): void;
}

/**
 * Generates the PKI with the `openssl` CLI (Debian package "openssl"). A missing openssl fails the
 * test with the package to install: TLS is a security feature, and its tests never silently skip.
 */
export function generateTestPki(): TestPki {
  if (spawnSync('openssl', ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      'the TLS tests need the `openssl` program: install the Debian package "openssl" (apt-get install -y openssl)',
    );
  }
  const tmp = tempDir('linli-pki-');
  const p = (name: string) => join(tmp.dir, name);
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: tmp.dir, stdio: 'pipe' });
  const key = (name: string) =>
    run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p(name));
  const selfSignedCa = (name: string, cn: string) => {
    key(`${name}.key`);
    run(
      'req',
      '-x509',
      '-new',
      '-key',
      p(`${name}.key`),
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-out',
      p(`${name}.crt`),
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  };
  const signed = (name: string, cn: string, ext: string) => {
    key(`${name}.key`);
    run('req', '-new', '-key', p(`${name}.key`), '-subj', `/CN=${cn}`, '-out', p(`${name}.csr`));
    writeFileSync(p(`${name}.ext`), ext);
    run(
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p('ca.crt'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      p(`${name}.ext`),
      '-out',
      p(`${name}.crt`),
    );
  };
  selfSignedCa('ca', 'Linli test CA');
  selfSignedCa('rogue', 'Rogue CA');
  signed('server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  signed('client', 'locker-01', 'extendedKeyUsage=clientAuth\n');
  const read = (name: string) => readFileSync(p(name));
  return {
    dir: tmp.dir,
    caFile: p('ca.crt'),
    serverCertFile: p('server.crt'),
    serverKeyFile: p('server.key'),
    client: { cert: read('client.crt'), key: read('client.key') },
    rogue: { cert: read('rogue.crt'), key: read('rogue.key') },
    ca: read('ca.crt'),
    cleanup: tmp.cleanup,
  };
}
