import type { BoxLog } from './card-reader.ts';
import type { DoorRelay, LedPattern, StatusLed, TamperSwitch } from './box-outputs.ts';
import type { Bit, GpioLine } from './gpio-line.ts';
import type { TimerHandle, Timers } from './timers.ts';

/** Half periods of the blink patterns: cloud_offline blinks at 1 Hz, fault at 4 Hz. */
export const LED_HALF_PERIOD_MS = { cloud_offline: 500, fault: 125 } as const;
/** No door strike should be held longer than this: most are rated for short pulses and overheat. */
export const MAX_RELAY_PULSE_MS = 60_000;

/** Writes a line, logging instead of throwing: a failed LED write must not take the caller down. */
function safeWrite(line: GpioLine, value: Bit, log: BoxLog | undefined, what: string): boolean {
  try {
    line.write(value);
    return true;
  } catch (err) {
    log?.error({ err, component: 'gpio', gpio: line.number }, `could not drive the ${what}`);
    return false;
  }
}

/**
 * Door relay. Overlapping pulses extend the open time to the later end instead of toggling the strike;
 * every caller's promise resolves when the relay drops.
 */
export class LineRelay implements DoorRelay {
  private timer: TimerHandle | undefined;
  private until = 0;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly line: GpioLine,
    private readonly timers: Timers,
    private readonly log?: BoxLog,
    private readonly maxPulseMs = MAX_RELAY_PULSE_MS,
  ) {}

  pulse(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms <= 0 || ms > this.maxPulseMs) {
      return Promise.reject(new RangeError(`relay pulse must be 1..${this.maxPulseMs} ms, got ${ms}`));
    }
    if (this.closed) return Promise.reject(new Error('the door relay is closed'));
    const end = this.timers.now() + ms;
    return new Promise<void>((resolve, reject) => {
      if (end <= this.until) {
        this.waiters.push(resolve);
        return;
      }
      if (this.timer === undefined) {
        try {
          this.line.write(1);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
      } else {
        this.timers.clearTimeout(this.timer);
      }
      this.waiters.push(resolve);
      this.until = end;
      this.timer = this.timers.setTimeout(() => this.drop(), ms);
    });
  }

  private drop(): void {
    this.timer = undefined;
    this.until = 0;
    safeWrite(this.line, 0, this.log, 'door relay');
    for (const w of this.waiters.splice(0)) w();
  }

  /** Drops the relay now if it is held; later pulses are refused. */
  close(): void {
    if (this.timer !== undefined) {
      this.timers.clearTimeout(this.timer);
      this.drop();
    }
    this.closed = true;
  }
}

/** Status LED: steady on, 1 Hz or 4 Hz blink, or off. Showing the current pattern again keeps its phase. */
export class LineLed implements StatusLed {
  private pattern: LedPattern | undefined;
  private timer: TimerHandle | undefined;
  private lit: Bit = 0;

  constructor(
    private readonly line: GpioLine,
    private readonly timers: Timers,
    private readonly log?: BoxLog,
  ) {}

  show(pattern: LedPattern): void {
    if (pattern === this.pattern) return;
    this.pattern = pattern;
    this.stopBlink();
    if (pattern === 'online') this.set(1);
    else if (pattern === 'off') this.set(0);
    else {
      this.set(1);
      this.timer = this.timers.setInterval(() => this.set(this.lit === 1 ? 0 : 1), LED_HALF_PERIOD_MS[pattern]);
    }
  }

  current(): LedPattern | undefined {
    return this.pattern;
  }

  close(): void {
    this.stopBlink();
    this.set(0);
    this.pattern = 'off';
  }

  private set(v: Bit): void {
    if (safeWrite(this.line, v, this.log, 'status LED')) this.lit = v;
  }

  private stopBlink(): void {
    if (this.timer !== undefined) this.timers.clearInterval(this.timer);
    this.timer = undefined;
  }
}

/**
 * Enclosure tamper switch. Level 1 = open (a microswitch to GND held closed by the lid, with a pull-up:
 * opening the lid releases it and the line goes high). A new level counts once it has held for `debounceMs`.
 */
export class LineTamper implements TamperSwitch {
  private open = false;
  private timer: TimerHandle | undefined;
  private readonly listeners: ((open: boolean) => void)[] = [];

  constructor(
    private readonly line: GpioLine,
    private readonly timers: Timers,
    private readonly debounceMs: number,
    private readonly log?: BoxLog,
  ) {}

  /** Reads the current level and starts watching edges. */
  start(): void {
    this.open = this.line.read() === 1;
    this.line.watch(() => this.edge());
  }

  onChange(fn: (open: boolean) => void): void {
    this.listeners.push(fn);
  }

  isOpen(): boolean {
    return this.open;
  }

  close(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private edge(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => this.settle(), this.debounceMs);
  }

  private settle(): void {
    this.timer = undefined;
    let open: boolean;
    try {
      open = this.line.read() === 1;
    } catch (err) {
      this.log?.error({ err, component: 'gpio', gpio: this.line.number }, 'could not read the tamper switch');
      return;
    }
    if (open === this.open) return;
    this.open = open;
    for (const fn of this.listeners) {
      try {
        fn(open);
      } catch (err) {
        this.log?.error({ err, component: 'gpio' }, 'a tamper listener threw');
      }
    }
  }
}

/** Stand-ins where GPIO is disabled or not accessible (a PC, CI): they accept calls and do nothing. */
export const noopRelay: DoorRelay = { pulse: async () => {} };
export const noopLed: StatusLed = { show: () => {} };
export const noopTamper: TamperSwitch = { onChange: () => {}, isOpen: () => false };
