import * as z from 'zod';
import type { BoxLog, CardReader, ReaderHealth } from './card-reader.ts';
import {
  createGpio,
  type BoxGpio,
  type DoorRelay,
  type GpioOptions,
  type LedPattern,
  type StatusLed,
  type TamperSwitch,
} from './gpio.ts';
import { MAX_RELAY_PULSE_MS } from './gpio-devices.ts';
import { DEFAULT_SYSFS_GPIO_ROOT } from './gpio-offset.ts';
import { DEFAULT_PCSCD_SOCKET, PcscCardReader } from './pcsc-reader.ts';
import { systemTimers, type Timers } from './timers.ts';

/** A BCM line on the Pi's 40-pin header (GPIO 0–27), as on pinout charts; never a sysfs number. */
const BcmLine = z.number().int().min(0).max(27);

const OutputLine = z.object({ line: BcmLine, activeLow: z.boolean().default(false) }).strict();

/** The gateway box's own hardware. Everything is off unless enabled: driving unknown pins on other boards is unsafe. */
export const BoxHardwareConfigSchema = z
  .object({
    nfc: z
      .object({
        enabled: z.boolean().default(false),
        /** pcscd's socket; the reader waits for it and says so in health while it is missing. */
        pcscdSocket: z.string().min(1).default(DEFAULT_PCSCD_SOCKET),
        /**
         * The reader process is killed when it has not answered for
         * this long (the PC/SC library busy-loops without pcscd).
         */
        watchdogMs: z.number().int().min(500).max(60_000).default(5_000),
      })
      .strict()
      .prefault({}),
    gpio: z
      .object({
        enabled: z.boolean().default(false),
        sysfsRoot: z.string().min(1).default(DEFAULT_SYSFS_GPIO_ROOT),
        /** Door strike relay; null when the box drives no door. */
        relay: OutputLine.extend({
          line: BcmLine.default(17),
          pulseMs: z.number().int().min(100).max(MAX_RELAY_PULSE_MS).default(3_000),
        })
          .nullable()
          .prefault({}),
        led: OutputLine.extend({ line: BcmLine.default(27) })
          .nullable()
          .prefault({}),
        /** Enclosure microswitch to GND with a pull-up: high = open. */
        tamper: z
          .object({
            line: BcmLine.default(22),
            activeLow: z.boolean().default(false),
            debounceMs: z.number().int().min(0).max(1_000).default(50),
          })
          .strict()
          .nullable()
          .prefault({}),
      })
      .strict()
      .prefault({})
      .superRefine((g, ctx) => {
        const used = new Map<number, string>();
        for (const role of ['relay', 'led', 'tamper'] as const) {
          const line = g[role]?.line;
          if (line === undefined) continue;
          const other = used.get(line);
          if (other)
            ctx.addIssue({ code: 'custom', path: [role, 'line'], message: `BCM ${line} is already the ${other} line` });
          used.set(line, role);
        }
      }),
  })
  .strict();

type BoxHardwareConfig = z.output<typeof BoxHardwareConfigSchema>;

export interface BoxComponentHealth extends ReaderHealth {
  component: 'nfc' | 'gpio';
}

export interface BoxHardware {
  readonly reader: CardReader;
  readonly relay: DoorRelay;
  readonly led: StatusLed;
  readonly tamper: TamperSwitch;
  /** Pulses the door relay for the configured time. */
  openDoor(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): BoxComponentHealth[];
}

/** Test and simulator seams. */
interface BoxHardwareDeps {
  reader?: CardReader;
  loadOnoff?: GpioOptions['loadOnoff'];
  timers?: Timers;
}

/** A reader that is switched off by config. */
class DisabledReader implements CardReader {
  start(): void {}
  async stop(): Promise<void> {}
  onCard(): void {}
  health(): ReaderHealth {
    return { state: 'disabled', warning: 'NFC reader disabled in config (box.nfc.enabled)' };
  }
}

/**
 * Assembles the box's reader and GPIO. Creating it acquires nothing; `start()` opens the lines and starts
 * the reader, `stop()` releases both. The relay, LED and tamper it hands out are valid before `start()`
 * (as no-ops) and follow the real lines after it, so callers can wire listeners once.
 */
export function createBoxHardware(config: BoxHardwareConfig, log: BoxLog, deps: BoxHardwareDeps = {}): BoxHardware {
  const timers = deps.timers ?? systemTimers;
  const reader: CardReader =
    deps.reader ??
    (config.nfc.enabled
      ? new PcscCardReader({ log, socketPath: config.nfc.pcscdSocket, watchdogMs: config.nfc.watchdogMs, timers })
      : new DisabledReader());
  let gpio: BoxGpio | undefined;
  let lastPattern: LedPattern | undefined;
  const tamperListeners: ((open: boolean) => void)[] = [];
  const g = config.gpio;

  const relay: DoorRelay = { pulse: (ms) => (gpio ? gpio.relay.pulse(ms) : Promise.resolve()) };
  const led: StatusLed = {
    show: (p) => {
      lastPattern = p;
      gpio?.led.show(p);
    },
  };
  const tamper: TamperSwitch = {
    onChange: (fn) => tamperListeners.push(fn),
    isOpen: () => gpio?.tamper.isOpen() ?? false,
  };

  return {
    reader,
    relay,
    led,
    tamper,
    openDoor: () => relay.pulse(g.relay?.pulseMs ?? 3_000),
    async start() {
      reader.start();
      if (!g.enabled || gpio) return;
      gpio = await createGpio({
        lines: {
          relay: g.relay?.line,
          led: g.led?.line,
          tamper: g.tamper?.line,
          activeLow: { relay: g.relay?.activeLow, led: g.led?.activeLow, tamper: g.tamper?.activeLow },
        },
        sysfsRoot: g.sysfsRoot,
        tamperDebounceMs: g.tamper?.debounceMs,
        loadOnoff: deps.loadOnoff,
        timers,
        log,
      });
      gpio.tamper.onChange((open) => {
        for (const fn of tamperListeners) {
          try {
            fn(open);
          } catch (err) {
            log.error({ err, component: 'gpio' }, 'a tamper listener threw');
          }
        }
      });
      if (lastPattern) gpio.led.show(lastPattern);
    },
    async stop() {
      await reader.stop();
      const open = gpio;
      gpio = undefined;
      await open?.close();
    },
    health() {
      const gpioHealth: ReaderHealth = !g.enabled
        ? { state: 'disabled', warning: 'GPIO disabled in config (box.gpio.enabled)' }
        : (gpio?.health() ?? { state: 'starting' });
      return [
        { component: 'nfc', ...reader.health() },
        { component: 'gpio', ...gpioHealth },
      ];
    },
  };
}
