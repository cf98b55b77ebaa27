import type { BoxLog, ReaderHealth } from './card-reader.ts';
import { LineLed, LineRelay, LineTamper, noopLed, noopRelay, noopTamper } from './gpio-devices.ts';
import type { GpioLine } from './gpio-line.ts';
import { DEFAULT_SYSFS_GPIO_ROOT, readGpioChips, sysfsGpioNumber } from './gpio-offset.ts';
import { gpioClassOf, importOnoff, openOnoffLine, type LineRole, type OnoffGpioClass } from './gpio-onoff.ts';
import { systemTimers, type Timers } from './timers.ts';

export type { DoorRelay, LedPattern, StatusLed, TamperSwitch } from './box-outputs.ts';
import type { DoorRelay, StatusLed, TamperSwitch } from './box-outputs.ts';

type GpioHealth = ReaderHealth;

/** BCM line numbers (the numbers on Pi pinout charts, not sysfs numbers) and their polarity. */
interface GpioLines {
  relay?: number;
  led?: number;
  tamper?: number;
  /** Per line: true when the wiring is active-low (most opto-isolated relay modules energise on low). */
  activeLow?: { relay?: boolean; led?: boolean; tamper?: boolean };
}

export interface GpioOptions {
  lines: GpioLines;
  sysfsRoot?: string;
  /** Loads onoff; tests pass a fake module or one that throws. */
  loadOnoff?: () => Promise<unknown>;
  tamperDebounceMs?: number;
  maxPulseMs?: number;
  timers?: Timers;
  log?: BoxLog;
}

export interface BoxGpio {
  readonly relay: DoorRelay;
  readonly led: StatusLed;
  readonly tamper: TamperSwitch;
  health(): GpioHealth;
  /** Drops the relay, turns the LED off and unexports every line. */
  close(): Promise<void>;
}

type Role = 'relay' | 'led' | 'tamper';
const ROLE: Record<Role, LineRole> = { relay: 'output', led: 'output', tamper: 'input' };

/** Every part a no-op, with the reason in health. */
function disabledGpio(warning: string): BoxGpio {
  return {
    relay: noopRelay,
    led: noopLed,
    tamper: noopTamper,
    health: () => ({ state: 'disabled', warning }),
    close: async () => {},
  };
}

async function loadGpioClass(load: () => Promise<unknown>): Promise<OnoffGpioClass | string> {
  let mod: unknown;
  try {
    mod = await load();
  } catch (err) {
    return (
      `onoff could not be loaded (${(err as Error).message?.split('\n')[0] ?? String(err)}); ` +
      'it is an optional dependency that installs only on Linux'
    );
  }
  const Gpio = gpioClassOf(mod);
  if (!Gpio) return 'the onoff module has no Gpio class (onoff 6 expected)';
  let accessible = false;
  try {
    accessible = Gpio.accessible === true;
  } catch {
    accessible = false;
  }
  return accessible
    ? Gpio
    : `cannot open ${DEFAULT_SYSFS_GPIO_ROOT}/export (not a Raspberry Pi, ` +
        'a kernel without sysfs GPIO, or the user is not in the gpio group)';
}

/**
 * Opens the box's GPIO lines. Never throws: where GPIO is not accessible (a PC, CI) every part is a no-op
 * and health is `disabled` with the reason; a line that cannot be opened leaves that part a no-op and
 * health `unavailable` naming the line.
 */
export async function createGpio(opts: GpioOptions): Promise<BoxGpio> {
  const timers = opts.timers ?? systemTimers;
  const wanted = (['relay', 'led', 'tamper'] as const).filter((r) => opts.lines[r] !== undefined);
  if (wanted.length === 0) return disabledGpio('no GPIO lines configured');

  const Gpio = await loadGpioClass(opts.loadOnoff ?? importOnoff);
  if (typeof Gpio === 'string') {
    opts.log?.warn({ component: 'gpio' }, `GPIO not accessible: ${Gpio}`);
    return disabledGpio(`GPIO not accessible: ${Gpio}`);
  }

  const chips = readGpioChips(opts.sysfsRoot ?? DEFAULT_SYSFS_GPIO_ROOT);
  const opened: Partial<Record<Role, GpioLine>> = {};
  const problems: string[] = [];
  for (const role of wanted) {
    const bcm = opts.lines[role] as number;
    const n = sysfsGpioNumber(chips, bcm);
    if (!n.ok) {
      problems.push(`${role} (BCM ${bcm}): ${n.reason}`);
      continue;
    }
    try {
      opened[role] = openOnoffLine(Gpio, n.number, ROLE[role], opts.lines.activeLow?.[role] ?? false);
      opts.log?.info({ component: 'gpio', role, bcm, gpio: n.number, chip: n.chip.label }, 'GPIO line opened');
    } catch (err) {
      problems.push(`${role} (BCM ${bcm}, sysfs ${n.number}): ${(err as Error).message}`);
    }
  }
  const relay = opened.relay ? new LineRelay(opened.relay, timers, opts.log, opts.maxPulseMs) : undefined;
  const led = opened.led ? new LineLed(opened.led, timers, opts.log) : undefined;
  let tamper = opened.tamper ? new LineTamper(opened.tamper, timers, opts.tamperDebounceMs ?? 50, opts.log) : undefined;
  try {
    tamper?.start();
  } catch (err) {
    problems.push(`tamper (BCM ${opts.lines.tamper}): ${(err as Error).message}`);
    tamper = undefined;
  }
  if (problems.length > 0) opts.log?.error({ component: 'gpio', problems }, 'some GPIO lines could not be opened');
  const health: GpioHealth =
    problems.length > 0 ? { state: 'unavailable', warning: problems.join('; ') } : { state: 'ok' };
  let closed = false;

  return {
    relay: relay ?? noopRelay,
    led: led ?? noopLed,
    tamper: tamper ?? noopTamper,
    health: () => ({ ...health }),
    close: async () => {
      if (closed) return;
      closed = true;
      relay?.close();
      led?.close();
      tamper?.close();
      for (const line of Object.values(opened)) {
        try {
          line.release();
        } catch (err) {
          opts.log?.warn({ err, component: 'gpio', gpio: line.number }, 'could not release a GPIO line');
        }
      }
    },
  };
}
