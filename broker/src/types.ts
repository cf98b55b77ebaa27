import type { EnvelopeStamper } from '../../firmware-protocol/src/stamp.ts';
import type { MqttConfig } from '../../gateway/config/schema.ts';
import type { Clock } from '../../gateway/core/clock.ts';
import type { Logger } from '../../gateway/core/log.ts';
import type { TurnBudget } from '../../gateway/core/turn-budget.ts';

/** The gateway's device registry, as the broker sees it [FWP-2.1]. */
export interface DeviceCredentialCheck {
  /** 'ok' only when the device exists, is enabled and the secret matches (gateway does scrypt + caching). */
  checkDevice(deviceId: string, secret: Buffer): Promise<'ok' | 'bad_credentials' | 'disabled' | 'unknown_device'>;
}

/**
 * Why a device connection ended:
 * - clean: the device sent DISCONNECT [MQTT-3.14];
 * - lost: the network connection dropped;
 * - kicked: the gateway closed it: kick(), a refused publish, an oversized packet;
 * - taken_over: a newer connection with the same device id replaced it [MQTT-3.1.4-2];
 * - keepalive_timeout: nothing received for 1.5 × keepalive [MQTT-3.1.2-24];
 * - slow_consumer: it stopped reading, and more than maxQueuedBytesPerClient waited for it;
 * - broker_stopping: the gateway is shutting down.
 */
export type DisconnectReason =
  | 'clean'
  | 'lost'
  | 'kicked'
  | 'taken_over'
  | 'keepalive_timeout'
  | 'slow_consumer'
  | 'broker_stopping';

/**
 * Presence of device connections (never integration accounts). Every 'connected' is followed by
 * exactly one 'disconnected' with the same connectionId. connectionIds increase per connection, so a
 * 'disconnected' for a connection that is no longer the device's current one can be ignored. On a
 * takeover the new connection's 'connected' comes before the old one's 'disconnected' (taken_over).
 */
export type PresenceEvent =
  | { type: 'connected'; deviceId: string; connectionId: number; address: string; at: number }
  | { type: 'disconnected'; deviceId: string; connectionId: number; reason: DisconnectReason; at: number };

export interface BrokerContext {
  config: MqttConfig;
  log: Logger;
  clock: Clock;
  credentials: DeviceCredentialCheck;
  /** Stamps the gateway→device error messages the broker sends itself (PAYLOAD_TOO_LARGE). */
  stamper: EnvelopeStamper;
  /**
   * Spreads connection and subscription handling over event-loop turns; the gateway passes the one
   * its uplink handling uses, so both share each turn's budget. Its own when absent.
   */
  turns?: TurnBudget;
  /** Device presence; called synchronously, its errors are caught and logged. */
  onPresence?: (e: PresenceEvent) => void;
  /** The server certificate and key when config.tls names no files (the gateway's local CA issued them). */
  tlsCredentials?: () => { cert: Buffer; key: Buffer };
}

/** A message delivered to an internal subscription. */
export interface InboundMessage {
  topic: string;
  payload: Buffer;
}

/** Current gauges and counters since start. */
export interface BrokerStats {
  /** Open network connections, including ones not yet authenticated. */
  connections: number;
  /** Device connections that are online (authenticated and registered). */
  devicesConnected: number;
  /** Connections not yet authenticated, TLS handshakes included (bounded by pendingPerAddress, pendingTotal). */
  pending: number;
  /**
   * CONNECTs refused for bad, unknown, disabled or missing credentials
   * or identities, or refused parameters (protocol level, keepalive).
   */
  authFailures: number;
  /** CONNECTs refused because the username or address was locked out. */
  lockedOut: number;
  /** CONNECTs refused by the per-address rate limit or maxConnections. */
  rateLimited: number;
  refusedPublishes: number;
  refusedSubscribes: number;
  oversized: number;
  takeovers: number;
  /** Connections closed because more than maxQueuedBytesPerClient waited unread in their socket. */
  slowConsumers: number;
  /** Sockets closed at accept: pendingPerAddress or pendingTotal connections were already waiting to authenticate. */
  pendingRefused: number;
  /** Connections closed because they were not authenticated within connectTimeoutMs. */
  preAuthTimeouts: number;
}
