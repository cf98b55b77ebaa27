import { PROTOCOL_MAJOR } from './version.ts';

/** [FWP-3.1] Every topic starts with this root. */
export const TOPIC_ROOT = 'linli';

/** [FWP-3.2] Channels a device publishes on (uplink), under linli/v{major}/dev/{id}/up/. */
export const UPLINK_CHANNELS = ['birth', 'death', 'heartbeat', 'telemetry', 'ack', 'event', 'request'] as const;
/** [FWP-3.3] Channels the gateway publishes on for one device (downlink), under linli/v{major}/dev/{id}/down/. */
export const DOWNLINK_CHANNELS = ['command', 'response', 'error'] as const;
export type UplinkChannel = (typeof UPLINK_CHANNELS)[number];
export type DownlinkChannel = (typeof DOWNLINK_CHANNELS)[number];

/** [FWP-3.5] QoS and retain flag per channel. No device topic is retained; the gateway's state topics are. */
export const CHANNEL_SPEC: Readonly<Record<UplinkChannel | DownlinkChannel, { qos: 0 | 1; retained: false }>> = {
  birth: { qos: 1, retained: false },
  death: { qos: 1, retained: false },
  heartbeat: { qos: 0, retained: false },
  telemetry: { qos: 0, retained: false },
  ack: { qos: 1, retained: false },
  event: { qos: 1, retained: false },
  request: { qos: 1, retained: false },
  command: { qos: 1, retained: false },
  response: { qos: 1, retained: false },
  error: { qos: 1, retained: false },
};

const v = (major: number) => `${TOPIC_ROOT}/v${major}`;

/** The typed topic map shared by the broker ACL, the gateway, the simulator and the tests. */
export const topics = {
  up: (deviceId: string, channel: UplinkChannel, major = PROTOCOL_MAJOR) => `${v(major)}/dev/${deviceId}/up/${channel}`,
  down: (deviceId: string, channel: DownlinkChannel, major = PROTOCOL_MAJOR) =>
    `${v(major)}/dev/${deviceId}/down/${channel}`,
  /** [FWP-3.4] Retained availability and health of one device, published by the gateway only. */
  deviceState: (deviceId: string, major = PROTOCOL_MAJOR) => `${v(major)}/dev/${deviceId}/state`,
  /** [FWP-10.3] Retained compartment occupancy of a locker (assumed and confirmed), published by the gateway only. */
  lockerOccupancy: (deviceId: string, major = PROTOCOL_MAJOR) => `${v(major)}/dev/${deviceId}/occupancy`,
  /** [FWP-3.4] Retained availability of the gateway itself; every device may subscribe to it. */
  gatewayState: (major = PROTOCOL_MAJOR) => `${v(major)}/gw/state`,
  /** What the gateway subscribes to: every device's uplink, every major version (so it can refuse other majors). */
  allUplinks: () => `${TOPIC_ROOT}/+/dev/+/up/+`,
  /** What a device subscribes to [FWP-3.3]: its own downlink. */
  deviceDownlinks: (deviceId: string, major = PROTOCOL_MAJOR) => `${v(major)}/dev/${deviceId}/down/+`,
} as const;

export type ParsedTopic =
  | {
      scope: 'device';
      major: number;
      deviceId: string;
      direction: 'up';
      channel: UplinkChannel | undefined;
      rawChannel: string;
    }
  | {
      scope: 'device';
      major: number;
      deviceId: string;
      direction: 'down';
      channel: DownlinkChannel | undefined;
      rawChannel: string;
    }
  | { scope: 'device-state'; major: number; deviceId: string }
  | { scope: 'locker-occupancy'; major: number; deviceId: string }
  | { scope: 'gateway-state'; major: number };

const MAJOR_RE = /^v(\d{1,3})$/;

/** Parses a concrete topic (no wildcards) of the Linli namespace; undefined for anything else. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== TOPIC_ROOT) return undefined;
  const m = MAJOR_RE.exec(parts[1] ?? '');
  if (!m) return undefined;
  const major = Number(m[1]);
  if (parts[2] === 'gw' && parts[3] === 'state' && parts.length === 4) return { scope: 'gateway-state', major };
  if (parts[2] !== 'dev') return undefined;
  const deviceId = parts[3];
  if (!deviceId || deviceId === '+' || deviceId === '#') return undefined;
  if (parts.length === 5 && parts[4] === 'state') return { scope: 'device-state', major, deviceId };
  if (parts.length === 5 && parts[4] === 'occupancy') return { scope: 'locker-occupancy', major, deviceId };
  if (parts.length !== 6) return undefined;
  const rawChannel = parts[5] ?? '';
  if (parts[4] === 'up') {
    const channel = (UPLINK_CHANNELS as readonly string[]).includes(rawChannel)
      ? (rawChannel as UplinkChannel)
      : undefined;
    return { scope: 'device', major, deviceId, direction: 'up', channel, rawChannel };
  }
  if (parts[4] === 'down') {
    const channel = (DOWNLINK_CHANNELS as readonly string[]).includes(rawChannel)
      ? (rawChannel as DownlinkChannel)
      : undefined;
    return { scope: 'device', major, deviceId, direction: 'down', channel, rawChannel };
  }
  return undefined;
}
