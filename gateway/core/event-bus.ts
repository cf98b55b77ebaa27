import type { Logger } from './log.ts';

/**
 * A typed, synchronous event bus between the gateway's parts: a part says what happened ("device health
 * changed", "redemption settled", "alert raised") and whoever listens (cloud outbox, dashboard, metrics,
 * the box's LED) acts, so no part holds another just to tell it. A listener that throws is logged and
 * never stops the others or the emitter. Writes that must commit with a change stay in its unit of work.
 */
export class EventBus<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(e: never) => void>>();
  private readonly counts = new Map<keyof Events, number>();

  constructor(private readonly log: Logger) {}

  /** Listens to one kind of event; returns the function that stops listening. */
  on<K extends keyof Events>(name: K, fn: (e: Events[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    const listener = fn as (e: never) => void;
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    for (const fn of this.listeners.get(name) ?? []) {
      try {
        (fn as (e: Events[K]) => void)(event);
      } catch (err) {
        this.log.error({ err, event: String(name) }, 'an event listener failed');
      }
    }
  }

  /** How many events of each kind were emitted since start (for /healthz and metrics). */
  emitted(): Record<string, number> {
    return Object.fromEntries([...this.counts].map(([k, n]) => [String(k), n]));
  }
}
