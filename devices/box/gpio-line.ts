/** A logical level: 1 = active. Active-low wiring is handled below this interface (sysfs `active_low`). */
export type Bit = 0 | 1;

/** One exported GPIO line. The relay, LED and tamper drivers see only this, so tests drive fakes. */
export interface GpioLine {
  /** The sysfs number (base + BCM line), for logs. */
  readonly number: number;
  write(value: Bit): void;
  read(): Bit;
  /** Called on every edge with the new level. */
  watch(fn: (value: Bit) => void): void;
  /** Stops watching and unexports the line. */
  release(): void;
}

/** A line for tests: records every write with its time; `set()` plays the hardware driving an input. */
export class FakeGpioLine implements GpioLine {
  readonly writes: { value: Bit; at: number }[] = [];
  released = false;
  private watchers: ((value: Bit) => void)[] = [];

  constructor(
    readonly number = 0,
    private value: Bit = 0,
    private readonly now: () => number = () => Date.now(),
  ) {}

  write(value: Bit): void {
    if (this.released) throw new Error(`gpio${this.number} written after release`);
    this.value = value;
    this.writes.push({ value, at: this.now() });
  }

  read(): Bit {
    return this.value;
  }

  watch(fn: (value: Bit) => void): void {
    this.watchers.push(fn);
  }

  release(): void {
    this.released = true;
    this.watchers = [];
  }

  /** The input level changes (a switch bounces, a door opens). */
  set(value: Bit): void {
    this.value = value;
    for (const fn of [...this.watchers]) fn(value);
  }

  /** Levels written so far, e.g. "1010". */
  get levels(): string {
    return this.writes.map((w) => w.value).join('');
  }
}
