import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BoxHardwareConfigSchema, createBoxHardware } from '../../../devices/box/box-hardware.ts';
import { FakeCardReader } from '../../../devices/box/card-reader.ts';
import { PCSCD_MISSING } from '../../../devices/box/pcsc-reader.ts';
import { tempDir } from '../../support/tmp.ts';
import { fakeOnoff, recordingLog, writeSysfs } from './support.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.splice(0).forEach((c) => c());
  vi.useRealTimers();
});
const dir = () => {
  const t = tempDir('linli-box-');
  cleanups.push(t.cleanup);
  return t.dir;
};

describe('box hardware config', () => {
  it('is all off by default, with the README wiring (BCM 17/27/22) and a 3 s door pulse', () => {
    const c = BoxHardwareConfigSchema.parse({});
    expect(c.nfc).toEqual({ enabled: false, pcscdSocket: '/run/pcscd/pcscd.comm', watchdogMs: 5_000 });
    expect(c.gpio).toMatchObject({
      enabled: false,
      relay: { line: 17, activeLow: false, pulseMs: 3_000 },
      led: { line: 27 },
      tamper: { line: 22, debounceMs: 50 },
    });
    expect(BoxHardwareConfigSchema.parse({ gpio: { enabled: true, led: null } }).gpio.led).toBeNull();
  });

  it('refuses a line used twice, sysfs numbers where BCM numbers belong, and unknown keys, with the path', () => {
    const issues = (input: unknown) =>
      BoxHardwareConfigSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ gpio: { led: { line: 17 } } })).toEqual(['gpio.led.line: BCM 17 is already the relay line']);
    expect(issues({ gpio: { relay: { line: 529 } } })?.[0]).toMatch(/^gpio\.relay\.line: /);
    expect(issues({ gpio: { relay: { pulseMs: 120_000 } } })?.[0]).toMatch(/^gpio\.relay\.pulseMs: /);
    expect(issues({ nfc: { enable: true } })?.[0]).toMatch(/^nfc: Unrecognized key/);
  });
});

describe('createBoxHardware', () => {
  it('disabled: both components say so, and every call is harmless', async () => {
    const box = createBoxHardware(BoxHardwareConfigSchema.parse({}), recordingLog().log);
    await box.start();
    expect(box.health()).toEqual([
      { component: 'nfc', state: 'disabled', warning: 'NFC reader disabled in config (box.nfc.enabled)' },
      { component: 'gpio', state: 'disabled', warning: 'GPIO disabled in config (box.gpio.enabled)' },
    ]);
    await expect(box.openDoor()).resolves.toBeUndefined();
    box.led.show('fault');
    await box.stop();
  });

  it('enabled on a machine without pcscd or GPIO: warnings in health, no crash', async () => {
    const config = BoxHardwareConfigSchema.parse({
      nfc: { enabled: true, pcscdSocket: join(dir(), 'pcscd.comm') },
      gpio: { enabled: true },
    });
    const box = createBoxHardware(config, recordingLog().log, {
      loadOnoff: () => Promise.reject(new Error('not installed')),
    });
    await box.start();
    expect(box.health()).toEqual([
      { component: 'nfc', state: 'unavailable', warning: PCSCD_MISSING },
      {
        component: 'gpio',
        state: 'disabled',
        warning: expect.stringMatching(/^GPIO not accessible: onoff could not be loaded/),
      },
    ]);
    await box.stop();
    expect(box.health()[0]).toEqual({ component: 'nfc', state: 'disabled' });
  });

  it(
    'wires listeners and LED pattern given before start to the real lines, ' +
      'pulses the configured time, releases on stop',
    async () => {
      vi.useFakeTimers();
      const root = writeSysfs(dir(), [{ base: 512, ngpio: 58, label: 'pinctrl-bcm2711' }]);
      const onoff = fakeOnoff();
      const reader = new FakeCardReader();
      const config = BoxHardwareConfigSchema.parse({
        gpio: {
          enabled: true,
          sysfsRoot: root,
          relay: { pulseMs: 1_500, activeLow: true },
          tamper: { debounceMs: 10 },
        },
      });
      const box = createBoxHardware(config, recordingLog().log, { reader, loadOnoff: async () => onoff.module });
      expect(box.health()[1]).toEqual({ component: 'gpio', state: 'starting' });
      const opened: boolean[] = [];
      box.tamper.onChange((open) => opened.push(open));
      box.led.show('online');
      await box.start();
      expect(reader.started).toBe(true);
      expect(box.health()).toEqual([
        { component: 'nfc', state: 'ok' },
        { component: 'gpio', state: 'ok' },
      ]);
      expect(onoff.byNumber(539)?.value).toBe(1);

      const door = box.openDoor();
      expect(onoff.byNumber(529)?.writes).toEqual([0, 1]);
      await vi.advanceTimersByTimeAsync(1_500);
      await door;
      expect(onoff.byNumber(529)?.writes).toEqual([0, 1, 0]);

      onoff.byNumber(534)?.drive(1);
      vi.advanceTimersByTime(10);
      expect(opened).toEqual([true]);
      expect(box.tamper.isOpen()).toBe(true);

      await box.stop();
      expect(reader.started).toBe(false);
      expect(onoff.gpios.every((g) => g.unexported)).toBe(true);
    },
  );
});
