import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { LinliBroker } from '../../broker/src/index.ts';
import type { CommandService } from '../commands/command-service.ts';
import type { CloudLink } from '../cloud/cloud-link.ts';
import type { DocSync } from '../cloud/doc-sync.ts';
import type { RolloutService } from '../cloud/rollouts.ts';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { ClockHealth } from '../core/clock-health.ts';
import type { Logger } from '../core/log.ts';
import type { DeskReader } from '../flows/desk-reader.ts';
import type { DeviceMonitor } from '../health/device-monitor.ts';
import type { RedemptionEngine } from '../redemption/wire.ts';
import type { Privacy } from '../privacy/privacy-module.ts';
import type { Prepaid } from '../prepaid/prepaid-module.ts';
import type { DeviceService } from '../registry/device-service.ts';
import type { StaffTokens } from '../security/staff-tokens.ts';
import type { BatchWriter } from '../store/batch-writer.ts';
import type { Store } from '../store/store.ts';
import type { EventLoopLag } from '../core/event-loop-lag.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import type { GatewayMetrics } from '../metrics/gateway-metrics.ts';
import type { TelemetrySamples } from '../health/telemetry-samples.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { GatewayEvents } from '../gateway-events.ts';
import type { LocalTls } from '../security/local-tls.ts';

/**
 * What the staff API may use of the running gateway: each route module takes the few of these it
 * needs (a `Pick`), never the gateway itself.
 */
export interface HttpPorts {
  readonly log: Logger;
  readonly clock: Clock;
  readonly config: Pick<Config, 'http'>;
  readonly bootId: string;
  /** True between a finished start and the beginning of the stop. */
  readonly ready: boolean;
  readonly tokens: StaffTokens;
  readonly devices: DeviceService;
  readonly monitor: DeviceMonitor;
  readonly alerts: AlertService;
  readonly telemetry: Pick<TelemetrySamples, 'history'>;
  readonly metrics: Pick<GatewayMetrics, 'scrape' | 'contentType'>;
  /** What the gateway's parts tell each other, for the console's live stream. */
  readonly events: Pick<EventBus<GatewayEvents>, 'on'>;
  readonly commands: CommandService;
  readonly store: Store;
  readonly writer: BatchWriter;
  readonly redemption: RedemptionEngine;
  readonly privacy: Privacy;
  readonly prepaid: Prepaid;
  readonly desk: DeskReader;
  readonly broker: Pick<LinliBroker, 'stats'>;
  /** The local CA devices pin [FWP-1.4]; undefined with the operator's own certificate or without TLS. */
  readonly tls?: Pick<LocalTls, 'current'> | undefined;
  readonly clockHealth: ClockHealth;
  readonly cloud: CloudLink | undefined;
  readonly docs: DocSync | undefined;
  readonly rollouts: RolloutService;
  /** The device kinds' own staff routes (charging sessions, ...), mounted under /api/v1. */
  readonly kindRoutes: readonly FastifyPluginAsyncZod[];
  /** Events per kind emitted on the gateway's bus since start. */
  eventsEmitted(): Record<string, number>;
  hotlistStale(): boolean;
  /** How long the event loop was blocked since the gateway started serving. */
  readonly loopLag: Pick<EventLoopLag, 'figures'>;
}
