import { X509Certificate } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import type { Config } from '../config/schema.ts';
import { caFingerprint, ensureLocalTls } from './local-ca.ts';
import { serverNames, type HostIdentity } from './server-names.ts';

/** What a device needs to reach the broker and trust it [FWP-1.4]; printed by `linli provision`. */
export interface BrokerTrust {
  /** mqtts://host:port (or mqtt:// when only plain MQTT listens) */
  url: string;
  port: number;
  tls: boolean;
  /** The CA certificate (PEM) a device pins: the local CA; undefined with the operator's own certificate. */
  caPem: string | undefined;
  /** Its SHA-256 fingerprint, colon-separated upper-case hex. */
  caSha256: string | undefined;
  /** The names and addresses the server certificate covers (a device checks the one it dials is among them). */
  names: string[];
  plaintext: boolean;
}

const ANY = new Set(['0.0.0.0', '::', '']);

/** The address to print: the listener's own, else the first advertised host, else a LAN address, else the host name. */
function hostFor(listenHost: string, advertised: readonly string[], host: HostIdentity): string {
  if (!ANY.has(listenHost)) return listenHost;
  if (advertised[0]) return advertised[0];
  for (const list of Object.values(host.networkInterfaces()))
    for (const nic of list ?? []) if (!nic.internal && nic.family === 'IPv4') return nic.address;
  return host.hostname();
}

const urlHost = (h: string) => (h.includes(':') ? `[${h}]` : h);

/**
 * Reads (or, before the gateway's first start, makes) the local CA of `config`'s data folder: the gateway
 * reuses what this made. With the operator's own certificate the CA is theirs to hand out: none is printed.
 */
export async function brokerTrust(
  config: Pick<Config, 'dataDir' | 'gateway' | 'mqtt'>,
  now: number,
  host: HostIdentity = { hostname, networkInterfaces },
): Promise<BrokerTrust> {
  const m = config.mqtt;
  const t = m.tls;
  if (!t.enabled) {
    const h = hostFor(m.host, t.advertisedHosts, host);
    return {
      url: `mqtt://${urlHost(h)}:${m.port}`,
      port: m.port,
      tls: false,
      caPem: undefined,
      caSha256: undefined,
      names: [],
      plaintext: true,
    };
  }
  const h = hostFor(t.host, t.advertisedHosts, host);
  const base = { url: `mqtts://${urlHost(h)}:${t.port}`, port: t.port, tls: true, plaintext: m.plaintext };
  if (t.certFile) {
    return { ...base, caPem: undefined, caSha256: undefined, names: [] };
  }
  const state = await ensureLocalTls({
    dataDir: config.dataDir,
    gatewayId: config.gateway.id,
    now,
    names: serverNames(host, t.advertisedHosts),
    renewBeforeDays: t.renewBeforeDays,
  });
  const names = (new X509Certificate(state.cert).subjectAltName ?? '')
    .split(', ')
    .map((n) => n.replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean);
  return { ...base, caPem: state.ca.toString(), caSha256: caFingerprint(state.ca), names };
}

/** The lines `linli provision` prints after the credentials. */
export function trustLines(b: BrokerTrust): string {
  if (!b.tls) {
    return (
      `  Broker: ${b.url} (plain MQTT: secrets and card UIDs cross the network in clear; ` +
      'enable mqtt.tls, the default)'
    );
  }
  const lines = [`  Broker: ${b.url} (TLS${b.plaintext ? '; plain MQTT is also on' : '; plain MQTT is off'})`];
  if (!b.caPem) {
    lines.push("  The broker serves the certificate of mqtt.tls.certFile: give the device its issuer's CA.");
    return lines.join('\n');
  }
  lines.push(
    "  Trust the gateway's local CA (pin it, and check the broker's name or address against the certificate):",
    `  CA SHA-256 fingerprint: ${b.caSha256}`,
    `  Names the certificate covers: ${b.names.join(', ')}`,
    b.caPem.trimEnd(),
  );
  return lines.join('\n');
}
