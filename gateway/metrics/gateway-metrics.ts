import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { DOWNLINK_CHANNELS, UPLINK_CHANNELS } from '../../firmware-protocol/src/topics.ts';
import type { MetricSources } from './metric-sources.ts';
import { registerScrapeMetrics } from './scrape-metrics.ts';

/** Every metric name of the gateway starts with this, prom-client's default ones included. */
export const METRIC_PREFIX = 'linli_';

/** A redemption is decided in a few ms on a quiet gateway; past a second a device has given up waiting. */
export const REDEMPTION_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
/** Up to the writer's maxBatch (256 by default) and beyond, in powers of two. */
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
/** A COMMIT costs well under a ms without an fsync and ~10 ms with one on an SD card; the batch budget is 10 ms. */
export const COMMIT_BUCKETS_S = [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

/** Called by the BatchWriter after each committed batch: how many units, and how long the transaction took. */
export type BatchObserver = (size: number, commitMs: number) => void;

/** How a device request ended, for the latency histogram: `redemptionOutcome()` derives it from the answer. */
export type RedemptionOutcome = 'approved' | 'declined' | 'ok' | 'error';

const OUTCOMES: ReadonlySet<string> = new Set<RedemptionOutcome>(['approved', 'declined', 'ok', 'error']);
/** Channels counted by name; anything else is 'other', so a misbehaving client cannot grow the label set. */
const IN_CHANNELS: ReadonlySet<string> = new Set(UPLINK_CHANNELS);
const OUT_CHANNELS: ReadonlySet<string> = new Set([...DOWNLINK_CHANNELS, 'state', 'occupancy']);

/**
 * The gateway's Prometheus metrics, in a registry of its own (never prom-client's global one: two
 * gateways in one process, or tests, would clash). Gauges are computed from the gateway's state when
 * Prometheus scrapes; counters and histograms are fed by the hooks below and by the bus.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly messagesIn: Counter<'channel'>;
  private readonly messagesOut: Counter<'channel'>;
  private readonly settled: Counter<'state'>;
  private readonly alertTransitions: Counter<'severity' | 'transition'>;
  private readonly redemptionSeconds: Histogram<'outcome'>;
  private readonly batchSize: Histogram;
  private readonly commitSeconds: Histogram;
  private readonly unlisten: (() => void)[] = [];
  private defaultsOn = false;

  constructor(
    private readonly src: MetricSources,
    private readonly opts: { defaultMetrics?: boolean } = {},
  ) {
    const registers = [this.registry];
    const p = METRIC_PREFIX;
    this.messagesIn = new Counter({
      name: `${p}mqtt_messages_received_total`,
      help: 'Device uplink messages received, by channel',
      labelNames: ['channel'],
      registers,
    });
    this.messagesOut = new Counter({
      name: `${p}mqtt_messages_sent_total`,
      help: 'Messages the gateway published to devices and integrations, by channel',
      labelNames: ['channel'],
      registers,
    });
    this.settled = new Counter({
      name: `${p}redemptions_settled_total`,
      help: 'Redemptions that moved money for good, by final state',
      labelNames: ['state'],
      registers,
    });
    this.alertTransitions = new Counter({
      name: `${p}alert_transitions_total`,
      help: 'Alerts raised, acknowledged and cleared, by severity',
      labelNames: ['severity', 'transition'],
      registers,
    });
    this.redemptionSeconds = new Histogram({
      name: `${p}redemption_duration_seconds`,
      help: 'From a device request to its answer, by outcome',
      labelNames: ['outcome'],
      buckets: REDEMPTION_BUCKETS_S,
      registers,
    });
    this.batchSize = new Histogram({
      name: `${p}writer_batch_size`,
      help: 'Units of work per group-commit transaction',
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });
    this.commitSeconds = new Histogram({
      name: `${p}writer_commit_seconds`,
      help: 'Time one group-commit transaction held the event loop',
      buckets: COMMIT_BUCKETS_S,
      registers,
    });
    registerScrapeMetrics(this.registry, src, p);
  }

  /**
   * Listens to the bus (settled redemptions, alert transitions) and turns on prom-client's process
   * metrics (memory, CPU, GC, event-loop lag).
   */
  start(): void {
    if (this.opts.defaultMetrics !== false && !this.defaultsOn) {
      // its event-loop monitor and GC observer live as long as the process: prom-client cannot stop them
      collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
      this.defaultsOn = true;
    }
    const { bus } = this.src;
    if (!bus || this.unlisten.length > 0) return;
    this.unlisten.push(
      bus.on('redemption.settled', (e) => this.settled.inc({ state: e.state })),
      bus.on('alert.changed', (n) =>
        this.alertTransitions.inc({ severity: n.alert.severity, transition: n.transition }),
      ),
    );
  }

  stop(): void {
    for (const off of this.unlisten.splice(0)) off();
  }

  /** The Prometheus text exposition of every metric, computed now. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of `scrape()`'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** One uplink message received on `channel` (the topic's last level: `channelOf(topic)`). */
  countMessageIn(channel: string): void {
    this.messagesIn.inc({ channel: IN_CHANNELS.has(channel) ? channel : 'other' });
  }

  /** One message published by the gateway on `channel` (command, response, error, state, occupancy). */
  countMessageOut(channel: string): void {
    this.messagesOut.inc({ channel: OUT_CHANNELS.has(channel) ? channel : 'other' });
  }

  /** How long one device request took from arrival to answer, and how it ended. */
  observeRedemption(seconds: number, outcome: RedemptionOutcome): void {
    this.redemptionSeconds.observe({ outcome: OUTCOMES.has(outcome) ? outcome : 'error' }, seconds);
  }

  /** The BatchWriter's `onBatch` hook: bound, so it can be handed on as is. */
  readonly observeBatch: BatchObserver = (size, commitMs) => {
    this.batchSize.observe(size);
    this.commitSeconds.observe(commitMs / 1000);
  };
}
