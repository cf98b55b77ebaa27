import type { Part } from '../parts/part.ts';
import type { GatewayMetrics, RedemptionOutcome } from './gateway-metrics.ts';
import type { MetricSources } from './metric-sources.ts';

/** Observations kept while prom-client loads: a reconnect storm's first messages are counted too. */
const MAX_EARLY_OBSERVATIONS = 10_000;

type Recording = Pick<GatewayMetrics, 'countMessageIn' | 'countMessageOut' | 'observeRedemption' | 'observeBatch'>;

/**
 * What the gateway's hot paths record metrics into. prom-client (some 40 ms to load) is loaded only after
 * the broker answers, so a restart's devices are not kept waiting for it: until then observations are
 * kept here (bounded) and handed over when the real metrics attach.
 */
export class MetricsRecorder implements Recording {
  private real: GatewayMetrics | undefined;
  private early: ((m: Recording) => void)[] = [];

  attach(m: GatewayMetrics): void {
    this.real = m;
    for (const replay of this.early) replay(m);
    this.early = [];
  }

  /** The gateway part that loads prom-client and attaches the real metrics, read from `sources`. */
  part(sources: () => MetricSources): Part {
    return {
      name: 'metrics',
      start: async () => {
        const { GatewayMetrics } = await import('./gateway-metrics.ts');
        const metrics = new GatewayMetrics(sources());
        metrics.start();
        this.attach(metrics);
      },
      stop: () => this.stop(),
    };
  }

  get attached(): GatewayMetrics | undefined {
    return this.real;
  }

  private record(fn: (m: Recording) => void): void {
    if (this.real) fn(this.real);
    else if (this.early.length < MAX_EARLY_OBSERVATIONS) this.early.push(fn);
  }

  countMessageIn(channel: string): void {
    this.record((m) => m.countMessageIn(channel));
  }

  countMessageOut(channel: string): void {
    this.record((m) => m.countMessageOut(channel));
  }

  observeRedemption(seconds: number, outcome: RedemptionOutcome): void {
    this.record((m) => m.observeRedemption(seconds, outcome));
  }

  readonly observeBatch = (size: number, commitMs: number): void => {
    this.record((m) => m.observeBatch(size, commitMs));
  };

  /** The Prometheus text; empty until the metrics attached (the HTTP server starts after them anyway). */
  scrape(): Promise<string> {
    return this.real ? this.real.scrape() : Promise.resolve('');
  }

  get contentType(): string {
    return this.real?.contentType ?? 'text/plain; version=0.0.4; charset=utf-8';
  }

  stop(): void {
    this.real?.stop();
  }
}
