import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** How long the event loop was blocked, in ms, since the gateway started serving. */
export interface EventLoopLagFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * The event loop's delay, sampled by Node itself (a timer on libuv, 10 ms resolution): every device's
 * round trip waits behind whatever blocks the one thread, so this is what a reconnect storm or a
 * burst of redemptions costs everyone else. Read by /healthz and the benchmark.
 */
export class EventLoopLag {
  private histogram: IntervalHistogram | undefined;

  start(): void {
    this.histogram ??= monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
  }

  stop(): void {
    this.histogram?.disable();
  }

  figures(): EventLoopLagFigures {
    const h = this.histogram;
    // the histogram counts in nanoseconds, and the timer's own resolution in its samples
    const ms = (ns: number) => (h && h.count > 0 ? Math.round(ns / 1e4) / 100 : 0);
    return { p50Ms: ms(h?.percentile(50) ?? 0), p99Ms: ms(h?.percentile(99) ?? 0), maxMs: ms(h?.max ?? 0) };
  }
}
