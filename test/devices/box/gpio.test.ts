import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGpio } from '../../../devices/box/gpio.ts';
import { tempDir } from '../../support/tmp.ts';
import { fakeOnoff, recordingLog, writeSysfs } from './support.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.splice(0).forEach((c) => c());
  vi.useRealTimers();
});
/** A Pi 4 on kernel 6.6: header chip at base 512, firmware expander at 570. */
const pi4Sysfs = () => {
  const t = tempDir('linli-sysfs-');
  cleanups.push(t.cleanup);
  return writeSysfs(t.dir, [
    { base: 512, ngpio: 58, label: 'pinctrl-bcm2711' },
    { base: 570, ngpio: 8, label: 'raspberrypi-exp-gpio' },
  ]);
};
const allLines = { relay: 17, led: 27, tamper: 22 };

describe('createGpio where there is no GPIO', () => {
  it('onoff that cannot be loaded gives no-op parts and a disabled warning, not a crash', async () => {
    const { log, messages } = recordingLog();
    const gpio = await createGpio({
      lines: allLines,
      log,
      loadOnoff: () => Promise.reject(new Error("Cannot find package 'onoff'")),
    });
    expect(gpio.health()).toEqual({
      state: 'disabled',
      warning: expect.stringMatching(/^GPIO not accessible: onoff could not be loaded \(Cannot find package 'onoff'\)/),
    });
    await expect(gpio.relay.pulse(3_000)).resolves.toBeUndefined();
    expect(() => gpio.led.show('fault')).not.toThrow();
    gpio.tamper.onChange(() => {});
    expect(gpio.tamper.isOpen()).toBe(false);
    await gpio.close();
    expect(messages()[0]).toMatch(/^GPIO not accessible/);
  });

  it('onoff loaded but Gpio.accessible false (a PC, CI) is disabled with the reason', async () => {
    const onoff = fakeOnoff({ accessible: false });
    const gpio = await createGpio({ lines: allLines, loadOnoff: async () => onoff.module });
    expect(gpio.health()).toEqual({
      state: 'disabled',
      warning: expect.stringMatching(/^GPIO not accessible: cannot open \/sys\/class\/gpio\/export/),
    });
    expect(onoff.gpios).toEqual([]);
  });

  it('the real loader on this machine does not crash either (onoff absent or not accessible)', async () => {
    const gpio = await createGpio({ lines: allLines });
    expect(gpio.health()).toMatchObject({
      state: 'disabled',
      warning: expect.stringMatching(/^GPIO not accessible: /),
    });
  });

  it('a module without a Gpio class, and no lines at all, are disabled too', async () => {
    expect((await createGpio({ lines: allLines, loadOnoff: async () => ({}) })).health().warning).toMatch(
      /no Gpio class/,
    );
    expect((await createGpio({ lines: {} })).health()).toEqual({
      state: 'disabled',
      warning: 'no GPIO lines configured',
    });
  });
});

describe('createGpio on a Pi (fake onoff, fake sysfs)', () => {
  it(
    'opens BCM lines at base + line, starts an active-low relay inactive, ' + 'watches the tamper, unexports on close',
    async () => {
      vi.useFakeTimers();
      const onoff = fakeOnoff();
      const gpio = await createGpio({
        lines: { ...allLines, activeLow: { relay: true } },
        sysfsRoot: pi4Sysfs(),
        loadOnoff: async () => onoff.module,
        tamperDebounceMs: 20,
      });
      expect(gpio.health()).toEqual({ state: 'ok' });
      const relay = onoff.byNumber(529);
      const led = onoff.byNumber(539);
      const tamper = onoff.byNumber(534);
      expect([relay?.direction, relay?.options]).toEqual(['high', { activeLow: true }]);
      expect(relay?.writes).toEqual([0]);
      expect([led?.direction, led?.options]).toEqual(['low', { activeLow: false }]);
      expect([tamper?.direction, tamper?.edge]).toEqual(['in', 'both']);

      const pulse = gpio.relay.pulse(3_000);
      await vi.advanceTimersByTimeAsync(3_000);
      await pulse;
      expect(relay?.writes).toEqual([0, 1, 0]);

      const seen: boolean[] = [];
      gpio.tamper.onChange((open) => seen.push(open));
      tamper?.drive(1);
      vi.advanceTimersByTime(20);
      expect(seen).toEqual([true]);

      gpio.led.show('cloud_offline');
      await gpio.close();
      await gpio.close();
      expect(onoff.gpios.map((g) => g.unexported)).toEqual([true, true, true]);
      expect(led?.writes.at(-1)).toBe(0);
    },
  );

  it('a line that cannot be exported leaves that part a no-op and names it in health; the others work', async () => {
    const onoff = fakeOnoff({ failOn: { 529: 'EBUSY: resource busy or locked' } });
    const { log, records } = recordingLog();
    const gpio = await createGpio({ lines: allLines, sysfsRoot: pi4Sysfs(), loadOnoff: async () => onoff.module, log });
    expect(gpio.health()).toEqual({
      state: 'unavailable',
      warning: 'relay (BCM 17, sysfs 529): EBUSY: resource busy or locked',
    });
    await expect(gpio.relay.pulse(100)).resolves.toBeUndefined();
    gpio.led.show('online');
    expect(onoff.byNumber(539)?.value).toBe(1);
    expect(records.some((r) => r.level === 50 && r.msg === 'some GPIO lines could not be opened')).toBe(true);
    await gpio.close();
  });

  it('an empty sysfs tree (no gpiochip) makes every line unavailable, with the reason', async () => {
    const t = tempDir('linli-sysfs-');
    cleanups.push(t.cleanup);
    const gpio = await createGpio({ lines: { led: 27 }, sysfsRoot: t.dir, loadOnoff: async () => fakeOnoff().module });
    expect(gpio.health()).toEqual({
      state: 'unavailable',
      warning: 'led (BCM 27): no gpiochip found under the sysfs GPIO root',
    });
  });
});
