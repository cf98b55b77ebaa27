import type { Check } from './context.ts';
import { fail, type Finding, ok } from './finding.ts';
import { listenersOf } from './listeners.ts';

/**
 * The configured ports: free for a gateway to start, or held by the gateway running on this data folder.
 * A gateway that runs holds all of them, so a busy port is then taken as its own.
 */
export const portsCheck: Check = {
  id: 'ports',
  async run(ctx) {
    const found: Finding[] = [];
    for (const l of listenersOf(ctx.config)) {
      const id = `ports.${l.id}`;
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
            `see which: sudo ss -ltnp 'sport = :${l.port}'; or change ${l.setting}`,
          ),
        );
      } else if (code === 'EACCES') {
        found.push(
          fail(id, `${l.what} port ${at} needs privileges this user lacks`, `choose a port above 1023 in ${l.setting}`),
        );
      } else if (code === 'EADDRNOTAVAIL') {
        found.push(
          fail(id, `${l.what}: ${l.host} is not an address of this machine`, `use 0.0.0.0 or one of \`ip -br addr\``),
        );
      } else {
        found.push(fail(id, `${l.what} port ${at}: cannot listen (${code})`, `check ${l.setting} and the host`));
      }
    }
    return found;
  },
};
