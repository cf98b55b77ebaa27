import type { MqttClient } from 'mqtt';
import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import type { EnvelopeStamper } from '../../firmware-protocol/src/stamp.ts';
import { topics } from '../../firmware-protocol/src/topics.ts';

export const GARBAGE_KINDS = [
  'malformed_json',
  'schema_invalid',
  'unknown_type',
  'wrong_channel',
  'oversized',
  'unsupported_major',
] as const;
export type GarbageKind = (typeof GARBAGE_KINDS)[number];

/** Publishes one kind of bad message on the device's own uplink topics, as a broken firmware would. */
export async function sendGarbage(
  c: MqttClient,
  id: string,
  kind: GarbageKind,
  stamper: EnvelopeStamper,
  deviceKind: DeviceKind,
): Promise<void> {
  // QoS 0 for the oversized packet: the gateway closes the connection, so a QoS 1 one would be resent forever.
  const send = (topic: string, payload: string | Buffer, qos: 0 | 1 = 1) =>
    c.publishAsync(topic, payload, { qos }).then(() => undefined);
  switch (kind) {
    case 'malformed_json':
      return send(topics.up(id, 'telemetry'), '{"v":"1.0","id":');
    case 'schema_invalid':
      return send(
        topics.up(id, 'telemetry'),
        JSON.stringify(stamper.stamp(id, 'telemetry', { kind: deviceKind, temperatureC: 'hot' })),
      );
    case 'unknown_type':
      return send(topics.up(id, 'heartbeat'), JSON.stringify(stamper.stamp(id, 'selfie', { smile: true })));
    case 'wrong_channel':
      return send(`linli/v1/dev/${id}/up/gossip`, JSON.stringify(stamper.stamp(id, 'gossip', {})));
    case 'oversized':
      return send(topics.up(id, 'telemetry'), Buffer.alloc(512 * 1024, 0x20), 0);
    case 'unsupported_major':
      return send(
        topics.up(id, 'birth', 2),
        JSON.stringify({ ...stamper.stamp(id, 'birth', { kind: deviceKind }), v: '2.0' }),
      );
  }
}
