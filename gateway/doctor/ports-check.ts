import type { Check } from './context.ts';
import { fail, type Finding, ok } from './finding.ts';
import { listenersOf } from '../cli/port-check.ts';

/** Stable finding ids for the listeners port-check names. */
const LISTENER_IDS: Record<string, string> = { MQTT: 'mqtt', 'MQTT over TLS': 'mqtt-tls', HTTP: 'http' };

/**
 * The configured ports: free for a gateway to start, or held by the gateway running on this data folder.
 * A gateway that runs holds all of them, so a busy port is then taken as its own.
 */
export const portsCheck: Check = {
  id: 'ports',
  async run(ctx) {
    const found: Finding[] = [];
    // a port 0 is chosen at start: nothing to check
    for (const l of listenersOf(ctx.config).filter((x) => x.port !== 0)) {
      const id = `ports.${LISTENER_IDS[l.what] ?? l.what.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
      const at = `${l.host}:${l.port}`;
      if (ctx.gateway === 'this-process') {
        found.push(ok(id, `${l.what} on ${at}: held by this gateway`));
        continue;
      }
      const code = await ctx.io.probePort(l.host, l.port);
      if (code === undefined) {
        found.push(ok(id, `${l.what} port ${at} is free for the gateway`));
      } else if (code === 'EADDRINUSE' && ctx.gateway === 'another-process') {
        found.push(ok(id, `${l.what} on ${at}: held by the gateway running on this data folder`));
      } else if (code === 'EADDRINUSE') {
        found.push(
          fail(
            id,
            `${l.what} port ${at} is taken by another program`,
            `see which: sudo ss -ltnp 'sport = :${l.port}'; or choose another: ${l.how}`,
          ),
        );
      } else if (code === 'EACCES') {
        found.push(
          fail(id, `${l.what} port ${at} needs privileges this user lacks`, `choose a port above 1023: ${l.how}`),
        );
      } else if (code === 'EADDRNOTAVAIL') {
        found.push(
          fail(id, `${l.what}: ${l.host} is not an address of this machine`, `use 0.0.0.0 or one of \`ip -br addr\``),
        );
      } else {
        found.push(fail(id, `${l.what} port ${at}: cannot listen (${code})`, `check the host and the port: ${l.how}`));
      }
    }
    return found;
  },
};
