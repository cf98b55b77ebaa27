import type { Bit, GpioLine } from './gpio-line.ts';

/** The part of onoff 6 we use. Written here because onoff is an optional dependency and may be absent. */
interface OnoffGpio {
  readSync(): number;
  writeSync(value: number): void;
  watch(cb: (err: Error | null | undefined, value: number) => void): void;
  unexport(): void;
}
export interface OnoffGpioClass {
  new (
    gpio: number,
    direction: 'in' | 'out' | 'high' | 'low',
    edge?: 'none' | 'rising' | 'falling' | 'both',
    options?: { activeLow?: boolean },
  ): OnoffGpio;
  readonly accessible: boolean;
}

/** Loads onoff on demand. A variable specifier, so the type checker does not need onoff installed. */
export const importOnoff = (): Promise<unknown> => {
  const specifier = 'onoff';
  return import(specifier);
};

/** The Gpio class from a loaded onoff module (CommonJS: named export or under `default`). */
export function gpioClassOf(mod: unknown): OnoffGpioClass | undefined {
  const m = mod as { Gpio?: unknown; default?: { Gpio?: unknown } } | null | undefined;
  const cls = m?.Gpio ?? m?.default?.Gpio;
  return typeof cls === 'function' ? (cls as OnoffGpioClass) : undefined;
}

export type LineRole = 'output' | 'input';

/**
 * Exports one line through onoff. Outputs start inactive without a glitch: sysfs "high"/"low" set the raw
 * level as the direction changes, ignoring active_low, so an active-low output must start "high"
 * (a relay module that energises on low would otherwise open the door at boot). The explicit write of 0
 * afterwards makes the logical level certain whatever the kernel did.
 */
export function openOnoffLine(Gpio: OnoffGpioClass, number: number, role: LineRole, activeLow: boolean): GpioLine {
  const gpio =
    role === 'output'
      ? new Gpio(number, activeLow ? 'high' : 'low', undefined, { activeLow })
      : new Gpio(number, 'in', 'both', { activeLow });
  if (role === 'output') gpio.writeSync(0);
  return {
    number,
    write: (v: Bit) => gpio.writeSync(v),
    read: () => (gpio.readSync() === 1 ? 1 : 0),
    watch: (fn) =>
      gpio.watch((err, value) => {
        if (!err) fn(value === 1 ? 1 : 0);
      }),
    release: () => gpio.unexport(),
  };
}
