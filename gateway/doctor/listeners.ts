import type { Config } from '../config/schema.ts';

/**
 * Whether the plain MQTT listener is on. A config from before `mqtt.plaintext` existed served plain
 * MQTT always: read as on.
 */
export const plaintextOn = (config: Config): boolean => (config.mqtt as { plaintext?: boolean }).plaintext ?? true;

/** One port the gateway listens on, and the config setting that moves it. */
export interface Listener {
  id: string;
  what: string;
  host: string;
  port: number;
  setting: string;
}

/** The ports the gateway opens with this config (a port 0 is chosen at start: nothing to check). */
export function listenersOf(config: Config): Listener[] {
  const { mqtt, http } = config;
  const all: Listener[] = [
    ...(plaintextOn(config)
      ? [{ id: 'mqtt', what: 'MQTT (plain)', host: mqtt.host, port: mqtt.port, setting: 'mqtt.port' }]
      : []),
    ...(mqtt.tls.enabled
      ? [{ id: 'mqtt-tls', what: 'MQTT over TLS', host: mqtt.tls.host, port: mqtt.tls.port, setting: 'mqtt.tls.port' }]
      : []),
    { id: 'http', what: 'HTTP (console and API)', host: http.host, port: http.port, setting: 'http.port' },
  ];
  return all.filter((l) => l.port !== 0);
}
