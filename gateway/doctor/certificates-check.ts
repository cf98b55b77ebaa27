import { X509Certificate } from 'node:crypto';
import { tlsPaths } from '../security/tls-paths.ts';
import type { Check, DoctorContext } from './context.ts';
import { fail, type Finding, ok, warn } from './finding.ts';

export const CERT_WARN_DAYS = 30;
const DAY = 86_400_000;

interface CertFile {
  id: string;
  file: string;
  what: string;
  /** What renews it. */
  fix: string;
}

const RESTART = 'restart the gateway (sudo systemctl restart linli): it renews its own certificate';

function certFilesOf(ctx: DoctorContext): { present: CertFile[]; local: CertFile[] } {
  const { mqtt, cloud, dataDir } = ctx.config;
  const local = tlsPaths(dataDir);
  const renew = (file: string) => `renew ${file}, then restart the gateway`;
  const usesLocal = mqtt.tls.enabled && !mqtt.tls.certFile;
  const localFiles: CertFile[] = usesLocal
    ? [
        { id: 'certificates.server', file: local.serverCert, what: 'the local server certificate', fix: RESTART },
        {
          id: 'certificates.local-ca',
          file: local.caCert,
          what: 'the local CA',
          fix: 'restart the gateway to issue a new CA, then give devices its certificate (linli provision prints it)',
        },
      ]
    : [];
  const configured: [string, string | undefined, string][] = [
    ['certificates.mqtt-tls', mqtt.tls.enabled ? mqtt.tls.certFile : undefined, 'mqtt.tls.certFile'],
    ['certificates.mqtt-tls-ca', mqtt.tls.enabled ? mqtt.tls.caFile : undefined, 'mqtt.tls.caFile'],
    ['certificates.cloud-ca', cloud.enabled ? cloud.caFile : undefined, 'cloud.caFile'],
    ['certificates.cloud-client', cloud.enabled ? cloud.certFile : undefined, 'cloud.certFile'],
  ];
  return {
    local: localFiles,
    present: configured.flatMap(([id, file, what]) => (file ? [{ id, file, what, fix: renew(file) }] : [])),
  };
}

/** Every certificate in a PEM file (a CA bundle holds several). */
export function parsePem(text: string): X509Certificate[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/** What a certificate file's expiry means now: the file's soonest certificate decides. */
export function judgeCertificate(c: CertFile, text: string, now: number): Finding {
  let certs: X509Certificate[];
  try {
    certs = parsePem(text);
  } catch (err) {
    return fail(c.id, `${c.file} (${c.what}) is not a valid certificate: ${(err as Error).message}`, c.fix);
  }
  const first = certs[0];
  if (!first) return fail(c.id, `${c.file} (${c.what}) holds no PEM certificate`, c.fix);
  const soonest = certs.reduce((s, x) => (Date.parse(x.validTo) < Date.parse(s.validTo) ? x : s), first);
  const notAfter = Date.parse(soonest.validTo);
  const notBefore = Math.max(...certs.map((x) => Date.parse(x.validFrom)));
  const date = new Date(notAfter).toISOString().slice(0, 10);
  if (notAfter <= now) return fail(c.id, `${c.what} (${c.file}) expired on ${date}`, c.fix);
  if (notBefore > now)
    return fail(
      c.id,
      `${c.what} (${c.file}) is not valid before ${new Date(notBefore).toISOString()}: is this box's clock behind?`,
      'sudo timedatectl set-ntp true',
    );
  const days = Math.floor((notAfter - now) / DAY);
  if (days < CERT_WARN_DAYS) return warn(c.id, `${c.what} (${c.file}) expires in ${days} days, on ${date}`, c.fix);
  return ok(c.id, `${c.what} valid until ${date} (${days} days)`);
}

/** Expiry of the server certificate, the local CA and the config's own certificate files. */
export const certificatesCheck: Check = {
  id: 'certificates',
  async run(ctx) {
    const { local, present } = certFilesOf(ctx);
    const found: Finding[] = [];
    for (const c of local) {
      const text = await ctx.io.readText(c.file);
      if (text === undefined)
        found.push(
          warn(c.id, `${c.what} is not made yet (${c.file})`, 'start the gateway: it makes its own CA and certificate'),
        );
      else found.push(judgeCertificate(c, text, ctx.now()));
    }
    for (const c of present) {
      const text = await ctx.io.readText(c.file);
      found.push(
        text === undefined
          ? fail(
              c.id,
              `${c.file} (${c.what}) cannot be read`,
              `put the file there, or remove ${c.what} from the config`,
            )
          : judgeCertificate(c, text, ctx.now()),
      );
    }
    return found;
  },
};
