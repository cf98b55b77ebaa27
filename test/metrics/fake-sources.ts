import type { BrokerStats } from '../../broker/src/types.ts';
import { EventBus } from '../../gateway/core/event-bus.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import type { GatewayEvents } from '../../gateway/gateway-events.ts';
import type { MeteredBacklog, MeteredDevice, MetricSources } from '../../gateway/metrics/metric-sources.ts';
import type { Alert } from '../../gateway/alerts/alert-types.ts';

/** Named fixture devices: two vending machines (one at fault), a locker, a scanner offline. */
export const FIXTURE_DEVICES: MeteredDevice[] = [
  { kind: 'vending_machine', verdict: { status: 'ok' } },
  { kind: 'vending_machine', verdict: { status: 'fault' } },
  { kind: 'parcel_locker', verdict: { status: 'ok' } },
  { kind: 'shop_scanner', verdict: { status: 'offline' } },
];

export function brokerStats(over: Partial<BrokerStats> = {}): BrokerStats {
  return {
    connections: 5,
    devicesConnected: 3,
    pending: 1,
    authFailures: 2,
    lockedOut: 0,
    rateLimited: 0,
    refusedPublishes: 4,
    refusedSubscribes: 0,
    oversized: 0,
    takeovers: 1,
    slowConsumers: 0,
    pendingRefused: 0,
    preAuthTimeouts: 0,
    ...over,
  };
}

/** Every source a running gateway would give, as plain mutable values a test changes between scrapes. */
export function fakeSources() {
  const state = {
    devices: [...FIXTURE_DEVICES],
    broker: brokerStats(),
    writer: { stats: { batches: 10, units: 40, maxBatch: 12, lastCommitMs: 1 } },
    cloud: {
      connected: true,
      backlog: [
        { stream: 'redemptions', events: 7, bytes: 2048, oldestAt: 1_000_000 - 30_000, dropped: 0 },
        { stream: 'telemetry', events: 0, bytes: 0, oldestAt: null, dropped: 3 },
      ] as MeteredBacklog[],
    } as { connected: boolean; backlog: MeteredBacklog[] } | undefined,
    alerts: [
      { severity: 'critical', acknowledged: null },
      { severity: 'warning', acknowledged: { at: 1, by: 'tok', note: 'on it' } },
      { severity: 'warning', acknowledged: null },
    ] as Pick<Alert, 'severity' | 'acknowledged'>[],
    stateReads: 0,
  };
  const bus = new EventBus<GatewayEvents>(silentLogger());
  const sources: MetricSources = {
    monitor: { all: () => state.devices },
    broker: {
      stats: () => {
        state.stateReads += 1;
        return state.broker;
      },
    },
    writer: state.writer,
    cloudStatus: () => state.cloud,
    openAlerts: () => state.alerts,
    loopLag: { figures: () => ({ p50Ms: 10, p99Ms: 25, maxMs: 120 }) },
    eventsEmitted: () => bus.emitted(),
    bus,
    kinds: ['vending_machine', 'parcel_locker', 'shop_scanner', 'door_reader'],
    now: () => 1_000_000,
    info: { gatewayId: 'gw-test', bootId: 'abc123', protocol: '1.3' },
  };
  return { state, bus, sources };
}
