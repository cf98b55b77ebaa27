import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pickHeaderChip, readGpioChips, sysfsGpioNumber } from '../../../devices/box/gpio-offset.ts';
import { tempDir } from '../../support/tmp.ts';
import { writeSysfs } from './support.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const sysfs = (chips: Parameters<typeof writeSysfs>[1]) => {
  const t = tempDir('linli-sysfs-');
  cleanups.push(t.cleanup);
  return writeSysfs(t.dir, chips);
};

describe('sysfs GPIO numbers from BCM lines', () => {
  it('kernel 6.6+ on a Pi 4: the bcm2711 chip at base 512 wins over a base-0 expander, BCM 17 → 529', () => {
    const chips = readGpioChips(
      sysfs([
        { base: 0, ngpio: 16, label: 'gpio-expander' },
        { base: 512, ngpio: 58, label: 'pinctrl-bcm2711' },
        { base: 570, ngpio: 8, label: 'raspberrypi-exp-gpio' },
      ]),
    );
    expect(chips).toHaveLength(3);
    const n = sysfsGpioNumber(chips, 17);
    expect(n).toMatchObject({ ok: true, number: 529, chip: { name: 'gpiochip512', label: 'pinctrl-bcm2711' } });
    expect(sysfsGpioNumber(chips, 0)).toMatchObject({ ok: true, number: 512 });
  });

  it('a Pi 5 uses the RP1 chip even though other chips have lower bases: BCM 17 → 588', () => {
    const chips = readGpioChips(
      sysfs([
        { base: 512, ngpio: 32, label: 'gpio-brcmstb@107d508500' },
        { base: 544, ngpio: 15, label: 'gpio-brcmstb@107d517c00' },
        { base: 571, ngpio: 54, label: 'pinctrl-rp1' },
      ]),
    );
    expect(sysfsGpioNumber(chips, 17)).toMatchObject({ ok: true, number: 588 });
  });

  it('older kernels (base 0) and Pi 0–3 (bcm2835) keep the plain numbers', () => {
    expect(sysfsGpioNumber(readGpioChips(sysfs([{ base: 0, ngpio: 54, label: 'pinctrl-bcm2835' }])), 22)).toMatchObject(
      { ok: true, number: 22 },
    );
  });

  it('without a known label, the lowest base is the header chip', () => {
    const chips = [
      { name: 'gpiochip600', base: 600, ngpio: 8, label: 'other' },
      { name: 'gpiochip512', base: 512, ngpio: 32, label: 'some-soc' },
    ];
    expect(pickHeaderChip(chips)?.name).toBe('gpiochip512');
    expect(sysfsGpioNumber(chips, 4)).toMatchObject({ ok: true, number: 516 });
  });

  it('refuses a line the chip does not have, a negative line and a tree without chips', () => {
    const chips = readGpioChips(sysfs([{ base: 512, ngpio: 58, label: 'pinctrl-bcm2711' }]));
    const bad = sysfsGpioNumber(chips, 58);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(
      /BCM line 58 does not exist on gpiochip512 \(pinctrl-bcm2711\), which has 58 lines/,
    );
    expect(sysfsGpioNumber(chips, -1).ok).toBe(false);
    expect(sysfsGpioNumber(chips, 1.5).ok).toBe(false);
    expect(sysfsGpioNumber([], 17)).toEqual({ ok: false, reason: 'no gpiochip found under the sysfs GPIO root' });
  });

  it('reads what is there and skips what is not a chip: missing root, garbage base, no label, exported lines', () => {
    expect(readGpioChips('/nonexistent/linli/sys/class/gpio')).toEqual([]);
    const root = sysfs([{ base: 512, ngpio: 58 }]);
    mkdirSync(join(root, 'gpiochip9'));
    writeFileSync(join(root, 'gpiochip9', 'base'), 'garbage\n');
    writeFileSync(join(root, 'gpiochip9', 'ngpio'), '8\n');
    mkdirSync(join(root, 'gpio529'));
    expect(readGpioChips(root)).toEqual([{ name: 'gpiochip512', base: 512, ngpio: 58, label: '' }]);
  });
});
