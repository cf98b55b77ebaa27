import type { BrokerStats } from '../../broker/src/types.ts';
import type { Alert } from '../alerts/alert-types.ts';
import type { EventLoopLagFigures } from '../core/event-loop-lag.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { GatewayEvents } from '../gateway-events.ts';
import type { HealthStatus } from '../store/health-repo.ts';

/** Every health status, so a status no device has right now is a 0 on the dashboard, not a gap. */
export const HEALTH_STATUSES = ['ok', 'degraded', 'fault', 'offline', 'unknown'] as const satisfies HealthStatus[];

/** One device as the metrics see it (a LiveDevice of the DeviceMonitor fits). */
export interface MeteredDevice {
  readonly kind: string;
  readonly verdict: { readonly status: HealthStatus };
}

/** One stream of the cloud outbox (CloudLink.status().backlog fits). */
export interface MeteredBacklog {
  stream: string;
  events: number;
  bytes: number;
  /** Wall-clock ms of the oldest unsent event; null when the stream holds none. */
  oldestAt: number | null;
  dropped: number;
}

/**
 * What the metrics read from the running gateway, each at scrape time. Only small shapes (the real
 * classes fit), so the metrics are tested without a gateway and never hold one.
 */
export interface MetricSources {
  /** The devices the gateway knows right now: DeviceMonitor. */
  monitor: { all(): readonly MeteredDevice[] };
  broker: { stats(): BrokerStats };
  /** The group-commit writer's running totals. */
  writer?: { readonly stats: { batches: number; units: number; maxBatch: number } };
  /** The cloud link's status once it started; undefined without cloud sync (`() => gw.cloud?.status()`). */
  cloudStatus?: () => { connected: boolean; backlog: readonly MeteredBacklog[] } | undefined;
  /** The alerts not cleared yet, from the alert service. */
  openAlerts?: () => readonly Pick<Alert, 'severity' | 'acknowledged'>[];
  /** Event-loop delay since the gateway started serving (the figures /healthz shows). */
  loopLag?: { figures(): EventLoopLagFigures };
  /** Events per kind emitted on the gateway's bus since start. */
  eventsEmitted?: () => Record<string, number>;
  /** Where settled redemptions are told; the metrics listen from start() to stop(). */
  bus?: Pick<EventBus<GatewayEvents>, 'on'>;
  /** The device kinds to report even with no device (DEVICE_KINDS), so a kind's 0 is not a gap. */
  kinds?: readonly string[];
  /** Wall clock, ms (for the age of the outbox's oldest event). */
  now?: () => number;
  /** Which gateway and boot this is, as an info metric (1) for dashboards to join on. */
  info?: { gatewayId: string; bootId: string; protocol: string };
}
