import type { ManualClock } from '../../../gateway/core/clock.ts';
import type { WebhookTimers } from '../../../gateway/alerts/webhooks/webhook-sender.ts';

interface Pending {
  due: number;
  ms: number;
  fn: () => void;
}

/** One-shot timers on a ManualClock's monotonic time: they fire only when the test moves the clock. */
export class ManualTimers implements WebhookTimers {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(readonly clock: ManualClock) {}

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { due: this.clock.monotonic() + ms, ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** The delays of the timers still waiting, soonest first. */
  delays(): number[] {
    return [...this.pending.values()].sort((a, b) => a.due - b.due).map((p) => p.ms);
  }

  /** Moves the clock, firing each timer at its own time, in order. */
  advance(ms: number): void {
    const end = this.clock.monotonic() + ms;
    for (;;) {
      const next = [...this.pending.entries()].filter(([, p]) => p.due <= end).sort((a, b) => a[1].due - b[1].due)[0];
      if (!next) break;
      const [id, p] = next;
      this.clock.advance(p.due - this.clock.monotonic());
      this.pending.delete(id);
      p.fn();
    }
    this.clock.advance(end - this.clock.monotonic());
  }
}
