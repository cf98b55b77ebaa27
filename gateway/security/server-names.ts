import type { NetworkInterfaceInfo } from 'node:os';

/** The machine as the server certificate must name it; injected so tests choose the addresses. */
export interface HostIdentity {
  hostname(): string;
  networkInterfaces(): NodeJS.Dict<NetworkInterfaceInfo[]>;
}

/**
 * Every name and address a device may use to reach the broker, each a subjectAltName of the server
 * certificate: the host name (and its mDNS name.local), localhost, the loopback addresses, every
 * non-internal address of the machine's interfaces, and what the config advertises (a DNS name, a NAT address).
 */
export function serverNames(host: HostIdentity, advertised: readonly string[]): string[] {
  const names = new Set<string>();
  const hostname = host.hostname().trim().toLowerCase();
  if (hostname && hostname !== 'localhost') {
    names.add(hostname);
    if (!hostname.includes('.')) names.add(`${hostname}.local`);
  }
  for (const n of ['localhost', '127.0.0.1', '::1']) names.add(n);
  for (const list of Object.values(host.networkInterfaces())) {
    for (const nic of list ?? []) if (!nic.internal) names.add(nic.address.toLowerCase());
  }
  for (const a of advertised) names.add(a.toLowerCase());
  return [...names];
}
