import type { Check } from './context.ts';
import { fail, type Finding, ok, warn } from './finding.ts';

/** The bound on the connection attempt: doctor answers in seconds, even with the cloud unreachable. */
export const CLOUD_TIMEOUT_MS = 1500;

/**
 * Whether the cloud broker can be reached (a TCP connection, with the TLS handshake and its certificate
 * check for mqtts://; no MQTT session), and what the running gateway's link says.
 */
export const cloudCheck: Check = {
  id: 'cloud',
  async run(ctx) {
    const cloud = ctx.config.cloud;
    if (!cloud.enabled) return [];
    const url = new URL(cloud.url);
    const tls = url.protocol === 'mqtts:';
    const port = url.port ? Number(url.port) : tls ? 8883 : 1883;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const r = await ctx.io.connect(
      { host, port, tls, caFile: cloud.caFile, certFile: cloud.certFile, keyFile: cloud.keyFile },
      CLOUD_TIMEOUT_MS,
    );
    const found: Finding[] = [
      r.ok
        ? ok('cloud.reach', `${cloud.url} reached in ${r.ms} ms${tls ? ', its certificate verified' : ''}`)
        : fail(
            'cloud.reach',
            `cannot reach ${cloud.url}: ${r.error}`,
            /CERT|certificate|SELF_SIGNED|UNABLE_TO/i.test(r.error)
              ? "set cloud.caFile to the CA that signed the cloud broker's certificate"
              : `check the line and the address: nc -vz ${host} ${port}`,
          ),
    ];
    const link = ctx.runtime?.cloud;
    if (link?.enabled)
      found.push(
        link.connected
          ? ok('cloud.link', `the gateway's cloud link is up (${link.backlogEvents} events waiting)`)
          : warn(
              'cloud.link',
              `the gateway's cloud link is down; ${link.backlogEvents} events wait to be sent`,
              'see the gateway log: journalctl -u linli -n 50',
            ),
      );
    return found;
  },
};
