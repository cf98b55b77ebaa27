import type { ConnectInfo } from './mqtt-frames.ts';

/**
 * Everything the kit saw between the device and the gateway, in order, each with the kit's monotonic
 * time `at` (ms) and the number of the network connection it came on (`conn`, from 1).
 */
export type Seen =
  | { kind: 'connect'; conn: number; at: number; connect: ConnectInfo | undefined; error?: string }
  | { kind: 'connack'; conn: number; at: number; code: number }
  | { kind: 'subscribe'; conn: number; at: number; filters: { topic: string; qos: number }[] }
  | { kind: 'suback'; conn: number; at: number; codes: number[] }
  | { kind: 'up'; conn: number; at: number; topic: string; qos: number; retain: boolean; dup: boolean; json: unknown }
  | { kind: 'down'; conn: number; at: number; topic: string; json: unknown; withheld: boolean }
  /** The device sent DISCONNECT [MQTT-3.14]. */
  | { kind: 'disconnect'; conn: number; at: number }
  | { kind: 'closed'; conn: number; at: number; by: 'device' | 'gateway' | 'kit' }
  /** A death the broker published for a connection lost without DISCONNECT: the will [FWP-8.3]. */
  | { kind: 'will'; conn: number; at: number; json: unknown };

export type SeenOf<K extends Seen['kind']> = Extract<Seen, { kind: K }>;

/** Parses a payload as JSON; undefined when it is not. */
export function jsonOf(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The uplink channel of a topic `linli/v{N}/dev/{id}/up/{channel}`, or undefined. */
export function channelOf(topic: string): string | undefined {
  const p = topic.split('/');
  return p.length === 6 && p[4] === 'up' ? p[5] : undefined;
}

/** A field of a JSON object, or undefined. */
export function field(json: unknown, key: string): unknown {
  return json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>)[key] : undefined;
}

interface Waiter {
  test(s: Seen): boolean;
  resolve(s: Seen | undefined): void;
  timer: NodeJS.Timeout;
}

/** The kit's record of the session, with bounded waits for what comes next. */
export class Journal {
  readonly entries: Seen[] = [];
  private readonly waiters = new Set<Waiter>();
  private closedWith: string | undefined;
  private readonly listeners = new Set<(s: Seen) => void>();

  constructor(readonly now: () => number) {}

  add(s: Seen): void {
    this.entries.push(s);
    for (const l of this.listeners) l(s);
    for (const w of this.waiters) {
      if (!w.test(s)) continue;
      this.waiters.delete(w);
      clearTimeout(w.timer);
      w.resolve(s);
    }
  }

  /** Sees every entry as it is added, before any wait does. */
  listen(fn: (s: Seen) => void): void {
    this.listeners.add(fn);
  }

  /** The position a later `next` looks from. */
  mark(): number {
    return this.entries.length;
  }

  /**
   * The first entry from position `from` on that `test` accepts, waiting at most `timeoutMs` for it;
   * undefined when none came in time (or the journal was closed).
   */
  next<K extends Seen['kind']>(
    kind: K,
    test: (s: SeenOf<K>) => boolean,
    timeoutMs: number,
    from = 0,
  ): Promise<SeenOf<K> | undefined> {
    const ok = (s: Seen): s is SeenOf<K> => s.kind === kind && test(s as SeenOf<K>);
    const found = this.entries.slice(from).find(ok);
    if (found || this.closedWith !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => {
      const w: Waiter = {
        test: ok,
        resolve: (s) => resolve(s as SeenOf<K> | undefined),
        // a timer that fires late (a busy machine) runs before the I/O that arrived meanwhile: that I/O
        // gets its turn (setImmediate comes after the poll phase) before the wait counts as missed
        timer: setTimeout(
          () =>
            setImmediate(() => {
              if (!this.waiters.delete(w)) return;
              resolve(undefined);
            }),
          timeoutMs,
        ),
      };
      this.waiters.add(w);
    });
  }

  /** Every entry of a kind (from position `from` on). */
  all<K extends Seen['kind']>(kind: K, from = 0): SeenOf<K>[] {
    return this.entries.slice(from).filter((s): s is SeenOf<K> => s.kind === kind);
  }

  /** Uplinks on one channel (of any major), optionally of one connection. */
  uplinks(channel: string, conn?: number): SeenOf<'up'>[] {
    return this.all('up').filter((u) => channelOf(u.topic) === channel && (conn === undefined || u.conn === conn));
  }

  /** Ends every wait now (the run was interrupted or is over); later waits resolve at once. */
  close(why: string): void {
    this.closedWith = why;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(undefined);
    }
    this.waiters.clear();
  }

  get closed(): string | undefined {
    return this.closedWith;
  }
}
