import type { Check } from './context.ts';
import { ok, warn } from './finding.ts';

/** Plain MQTT is opt-in: while it is on, device secrets and card UIDs cross the LAN in clear. */
export const plaintextCheck: Check = {
  id: 'plaintext',
  async run(ctx) {
    const { mqtt } = ctx.config;
    if (!mqtt.plaintext) return [ok('plaintext', `no plain MQTT listener: devices use TLS on port ${mqtt.tls.port}`)];
    return [
      warn(
        'plaintext',
        `plain MQTT listens on ${mqtt.host}:${mqtt.port === 0 ? '(a port chosen at start)' : mqtt.port} ` +
          '(mqtt.plaintext): ' +
          'device secrets and card UIDs cross the LAN in clear',
        `move the devices to TLS on port ${mqtt.tls.port} (linli provision prints the CA), ` +
          'then set mqtt.plaintext: false',
      ),
    ];
  },
};
