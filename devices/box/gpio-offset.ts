import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Sysfs GPIO numbers are not BCM numbers. Each gpiochip owns `ngpio` numbers starting at its `base`;
 * since kernel 6.6 (Raspberry Pi OS Bookworm) the bases are allocated dynamically from 512 upwards, so
 * BCM 17 is sysfs 529 on a Pi 4 and 588 on a Pi 5, and the old fixed numbers give EINVAL (onoff#199/#200).
 * Never hard-code a base: read it.
 */
export const DEFAULT_SYSFS_GPIO_ROOT = '/sys/class/gpio';

/** Labels of the controller that drives the 40-pin header: Pi 0–3, Pi 4/400, Pi 5 (through the RP1 chip). */
const PI_HEADER_CHIP_LABELS = ['pinctrl-bcm2835', 'pinctrl-bcm2711', 'pinctrl-rp1'] as const;

interface GpioChip {
  /** Directory name, e.g. "gpiochip512". */
  name: string;
  base: number;
  ngpio: number;
  label: string;
}

type SysfsNumber = { ok: true; number: number; chip: GpioChip } | { ok: false; reason: string };

/** Reads every `gpiochip*` under the sysfs root; chips whose files cannot be read or parsed are left out. */
export function readGpioChips(sysfsRoot: string = DEFAULT_SYSFS_GPIO_ROOT): GpioChip[] {
  let names: string[];
  try {
    names = readdirSync(sysfsRoot).filter((n) => /^gpiochip\d+$/.test(n));
  } catch {
    return [];
  }
  const chips: GpioChip[] = [];
  for (const name of names) {
    const read = (file: string): string | undefined => {
      try {
        return readFileSync(join(sysfsRoot, name, file), 'utf8').trim();
      } catch {
        return undefined;
      }
    };
    const base = Number(read('base'));
    const ngpio = Number(read('ngpio'));
    if (!Number.isInteger(base) || base < 0 || !Number.isInteger(ngpio) || ngpio <= 0) continue;
    chips.push({ name, base, ngpio, label: read('label') ?? '' });
  }
  return chips;
}

/** The chip behind the Pi's header: the one with a known label, else the lowest base. Pure. */
export function pickHeaderChip(chips: readonly GpioChip[]): GpioChip | undefined {
  const known = chips.find((c) => (PI_HEADER_CHIP_LABELS as readonly string[]).includes(c.label));
  if (known) return known;
  return [...chips].sort((a, b) => a.base - b.base)[0];
}

/** The sysfs GPIO number for a BCM line: base of the header chip + line. Pure. */
export function sysfsGpioNumber(chips: readonly GpioChip[], bcmLine: number): SysfsNumber {
  if (!Number.isInteger(bcmLine) || bcmLine < 0)
    return { ok: false, reason: `BCM line ${bcmLine} is not a line number` };
  const chip = pickHeaderChip(chips);
  if (!chip) return { ok: false, reason: 'no gpiochip found under the sysfs GPIO root' };
  if (bcmLine >= chip.ngpio) {
    return {
      ok: false,
      reason:
        `BCM line ${bcmLine} does not exist on ${chip.name} ` +
        `(${chip.label || 'no label'}), which has ${chip.ngpio} lines`,
    };
  }
  return { ok: true, number: chip.base + bcmLine, chip };
}
