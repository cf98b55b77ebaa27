import type { Logger } from '../../gateway/core/log.ts';

/** The pino methods the box drivers use; a pino Logger fits. */
export type BoxLog = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;

/**
 * What a driver says about itself: `disabled` = turned off or
 * impossible here (a PC), `unavailable` = wanted but broken.
 */
export interface ReaderHealth {
  state: 'ok' | 'starting' | 'unavailable' | 'disabled';
  /** For people: what is wrong and, where we know it, how to fix it. */
  warning?: string;
}

/** One card presented to a reader. `uid` is upper-case hex without separators; `at` is the reader's clock (ms). */
export interface CardEvent {
  uid: string;
  reader: string;
  at: number;
}

/** A card reader on the gateway box itself (not a device on the broker). */
export interface CardReader {
  /** Acquires the reader; never throws, problems show in `health()`. */
  start(): void;
  /** Releases everything `start()` acquired. */
  stop(): Promise<void>;
  onCard(fn: (ev: CardEvent) => void): void;
  health(): ReaderHealth;
}

/**
 * ISO 14443 UIDs are 4, 7 or 10 bytes; readers print them in any case, sometimes with ':' or spaces.
 * Returns the canonical upper-case hex form, or undefined when the input is not a UID.
 */
export function normalizeUid(raw: string): string | undefined {
  const hex = raw.replace(/[\s:-]/g, '').toUpperCase();
  if (!/^[0-9A-F]+$/.test(hex) || hex.length % 2 !== 0 || hex.length < 8 || hex.length > 20) return undefined;
  return hex;
}

/** Calls each listener; one that throws is logged and cannot stop the others or the driver. */
export function emitCard(listeners: readonly ((ev: CardEvent) => void)[], ev: CardEvent, log?: BoxLog): void {
  for (const fn of listeners) {
    try {
      fn(ev);
    } catch (err) {
      log?.error({ err, component: 'nfc' }, 'a card listener threw');
    }
  }
}

/** A reader for tests and the simulator: `tap()` presents a card, `setHealth()` fakes a fault. */
export class FakeCardReader implements CardReader {
  private readonly listeners: ((ev: CardEvent) => void)[] = [];
  private current: ReaderHealth = { state: 'starting' };
  started = false;

  constructor(
    readonly name = 'Fake ACR122U',
    private readonly now: () => number = () => Date.now(),
  ) {}

  start(): void {
    this.started = true;
    if (this.current.state === 'starting') this.current = { state: 'ok' };
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  onCard(fn: (ev: CardEvent) => void): void {
    this.listeners.push(fn);
  }

  health(): ReaderHealth {
    return { ...this.current };
  }

  setHealth(h: ReaderHealth): void {
    this.current = { ...h };
  }

  /** Presents a card; ignored (returns false) when stopped or the uid is not a UID, as a real reader would. */
  tap(uid: string): boolean {
    const norm = normalizeUid(uid);
    if (!this.started || norm === undefined) return false;
    emitCard(this.listeners, { uid: norm, reader: this.name, at: this.now() });
    return true;
  }
}
