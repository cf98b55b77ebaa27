import { Counter, Gauge, type Registry } from 'prom-client';
import type { BrokerStats } from '../../broker/src/types.ts';
import { AlertSeveritySchema } from '../alerts/alert-types.ts';
import { HEALTH_STATUSES, type MetricSources } from './metric-sources.ts';

/** The broker's running counters, by the `event` label they get (snake case, as Prometheus labels go). */
const BROKER_EVENTS = {
  auth_failure: 'authFailures',
  locked_out: 'lockedOut',
  rate_limited: 'rateLimited',
  refused_publish: 'refusedPublishes',
  refused_subscribe: 'refusedSubscribes',
  oversized: 'oversized',
  takeover: 'takeovers',
  slow_consumer: 'slowConsumers',
  pending_refused: 'pendingRefused',
  pre_auth_timeout: 'preAuthTimeouts',
} as const satisfies Record<string, keyof BrokerStats>;

/**
 * Reads `read` once per scrape however many metrics use it: a scrape collects every metric in the
 * same turn of the event loop, so the value is forgotten at the next one.
 */
function oncePerScrape<T>(read: () => T): () => T {
  let held: { value: T } | undefined;
  return () => {
    if (!held) {
      held = { value: read() };
      setImmediate(() => {
        held = undefined;
      });
    }
    return held.value;
  };
}

/** A counter whose total is kept elsewhere (the broker, the writer, the bus): set to it at every scrape. */
function mirroredCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  totals: () => Iterable<[Partial<Record<L, string>>, number]>,
): Counter<L> {
  return new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, n] of totals()) this.inc(labels, n);
    },
  });
}

/** A gauge computed from the gateway's state at every scrape (O(devices) at most: never a SQL scan). */
function scrapedGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  values: () => Iterable<[Partial<Record<L, string>>, number]>,
): Gauge<L> {
  return new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      // reset first: a stream or kind that went away must not keep its last value
      this.reset();
      for (const [labels, n] of values()) this.set(labels, n);
    },
  });
}

/** Registers the metrics read from the running gateway when Prometheus scrapes. */
export function registerScrapeMetrics(registry: Registry, src: MetricSources, prefix: string): void {
  scrapedGauge(
    registry,
    `${prefix}devices`,
    'Devices the gateway knows, by kind and health status',
    ['kind', 'status'],
    () => {
      const counts = new Map<string, number>();
      const key = (kind: string, status: string) => `${kind}\u0000${status}`;
      for (const kind of src.kinds ?? []) for (const s of HEALTH_STATUSES) counts.set(key(kind, s), 0);
      for (const d of src.monitor.all())
        counts.set(key(d.kind, d.verdict.status), (counts.get(key(d.kind, d.verdict.status)) ?? 0) + 1);
      return [...counts].map(([k, n]) => {
        const [kind = '', status = ''] = k.split('\u0000');
        return [{ kind, status }, n];
      });
    },
  );

  const broker = oncePerScrape(() => src.broker.stats());
  scrapedGauge(
    registry,
    `${prefix}mqtt_connections`,
    'Open MQTT connections, not yet authenticated ones included',
    [],
    () => [[{}, broker().connections]],
  );
  scrapedGauge(registry, `${prefix}mqtt_devices_connected`, 'Devices connected to the embedded broker', [], () => [
    [{}, broker().devicesConnected],
  ]);
  scrapedGauge(registry, `${prefix}mqtt_pending_connections`, 'MQTT connections waiting to authenticate', [], () => [
    [{}, broker().pending],
  ]);
  mirroredCounter(
    registry,
    `${prefix}mqtt_broker_events_total`,
    'Connections and packets the broker refused or closed, by event',
    ['event'],
    () => Object.entries(BROKER_EVENTS).map(([event, field]) => [{ event }, broker()[field]]),
  );

  const { writer } = src;
  if (writer) {
    mirroredCounter(
      registry,
      `${prefix}writer_batches_total`,
      'Transactions committed by the group-commit writer',
      [],
      () => [[{}, writer.stats.batches]],
    );
    mirroredCounter(
      registry,
      `${prefix}writer_units_total`,
      'Units of work committed by the group-commit writer',
      [],
      () => [[{}, writer.stats.units]],
    );
    scrapedGauge(
      registry,
      `${prefix}writer_max_batch_size`,
      'Largest batch the writer committed since start',
      [],
      () => [[{}, writer.stats.maxBatch]],
    );
  }

  const { cloudStatus } = src;
  if (cloudStatus) {
    const status = oncePerScrape(cloudStatus);
    const now = src.now ?? Date.now;
    const backlog = () => status()?.backlog ?? [];
    scrapedGauge(registry, `${prefix}cloud_connected`, '1 while the cloud link is connected', [], () => [
      [{}, status()?.connected ? 1 : 0],
    ]);
    scrapedGauge(
      registry,
      `${prefix}outbox_backlog_events`,
      'Events waiting in the cloud outbox, by stream',
      ['stream'],
      () => backlog().map((b) => [{ stream: b.stream }, b.events]),
    );
    scrapedGauge(
      registry,
      `${prefix}outbox_backlog_bytes`,
      'Bytes waiting in the cloud outbox, by stream',
      ['stream'],
      () => backlog().map((b) => [{ stream: b.stream }, b.bytes]),
    );
    scrapedGauge(
      registry,
      `${prefix}outbox_oldest_event_age_seconds`,
      'Age of the oldest unsent event, by stream',
      ['stream'],
      () =>
        backlog().flatMap((b) =>
          b.oldestAt === null ? [] : [[{ stream: b.stream }, Math.max(0, (now() - b.oldestAt) / 1000)]],
        ),
    );
    mirroredCounter(
      registry,
      `${prefix}outbox_dropped_events_total`,
      'Droppable events dropped over the disk budget, by stream',
      ['stream'],
      () => backlog().map((b) => [{ stream: b.stream }, b.dropped]),
    );
  }

  const { openAlerts } = src;
  if (openAlerts) {
    scrapedGauge(
      registry,
      `${prefix}alerts_open`,
      'Alerts not cleared, by severity and whether someone acknowledged them',
      ['severity', 'state'],
      () => {
        const counts = new Map<string, number>();
        for (const severity of AlertSeveritySchema.options)
          for (const state of ['unacknowledged', 'acknowledged']) counts.set(`${severity}/${state}`, 0);
        for (const a of openAlerts()) {
          const k = `${a.severity}/${a.acknowledged ? 'acknowledged' : 'unacknowledged'}`;
          counts.set(k, (counts.get(k) ?? 0) + 1);
        }
        return [...counts].map(([k, n]) => {
          const [severity = '', state = ''] = k.split('/');
          return [{ severity, state }, n];
        });
      },
    );
  }

  const { loopLag } = src;
  if (loopLag) {
    // prom-client's own linli_nodejs_eventloop_lag_* are per scrape interval; these are the /healthz figures
    scrapedGauge(
      registry,
      `${prefix}event_loop_lag_since_start_seconds`,
      'Event-loop delay since the gateway started serving',
      ['quantile'],
      () => {
        const f = loopLag.figures();
        return [
          [{ quantile: '0.5' }, f.p50Ms / 1000],
          [{ quantile: '0.99' }, f.p99Ms / 1000],
          [{ quantile: '1' }, f.maxMs / 1000],
        ];
      },
    );
  }

  const { eventsEmitted } = src;
  if (eventsEmitted) {
    mirroredCounter(
      registry,
      `${prefix}bus_events_total`,
      "Events emitted on the gateway's internal bus, by event",
      ['event'],
      () => Object.entries(eventsEmitted()).map(([event, n]) => [{ event }, n]),
    );
  }

  const { info } = src;
  if (info) {
    scrapedGauge(
      registry,
      `${prefix}gateway_info`,
      'Which gateway and boot this is (always 1)',
      ['gateway', 'boot_id', 'protocol'],
      () => [[{ gateway: info.gatewayId, boot_id: info.bootId, protocol: info.protocol }, 1]],
    );
  }
}
