import { createServer } from 'node:net';
import type { Config } from '../config/schema.ts';

/** One listener the gateway opens, and how to choose another port for it. */
interface Listener {
  what: string;
  host: string;
  port: number;
  how: string;
}

export function listenersOf(config: Config): Listener[] {
  const tls = config.mqtt.tls;
  const mqttsHow = '--mqtts-port N or mqtt.tls.port in the config';
  return [
    ...(config.mqtt.plaintext
      ? [
          {
            what: 'MQTT',
            host: config.mqtt.host,
            port: config.mqtt.port,
            how: '--mqtt-port N or mqtt.port in the config',
          },
        ]
      : []),
    ...(tls.enabled ? [{ what: 'MQTT over TLS', host: tls.host, port: tls.port, how: mqttsHow }] : []),
    { what: 'HTTP', host: config.http.host, port: config.http.port, how: '--http-port N or http.port in the config' },
  ];
}

/**
 * The first fixed port already taken (or not ours to take), found before anything starts, so the
 * person sees one line instead of a half-started gateway. The start itself still maps the error, for
 * the port taken in between.
 */
export async function firstBusyPort(config: Config): Promise<(Listener & { code: string }) | undefined> {
  for (const l of listenersOf(config)) {
    if (l.port === 0) continue;
    const code = await new Promise<string | undefined>((resolve) => {
      const probe = createServer();
      probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'EADDRINUSE'));
      probe.listen({ host: l.host, port: l.port, exclusive: true }, () => probe.close(() => resolve(undefined)));
    });
    // EADDRNOTAVAIL and the like are the start's to report, with the config path
    if (code === 'EADDRINUSE' || code === 'EACCES') return { ...l, code };
  }
  return undefined;
}
