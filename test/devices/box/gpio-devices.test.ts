import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LED_HALF_PERIOD_MS, LineLed, LineRelay, LineTamper } from '../../../devices/box/gpio-devices.ts';
import { FakeGpioLine } from '../../../devices/box/gpio-line.ts';
import { systemTimers } from '../../../devices/box/timers.ts';
import { recordingLog } from './support.ts';

const T0 = Date.UTC(2026, 10, 22, 2, 0, 0);
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

const line = (initial: 0 | 1 = 0) => new FakeGpioLine(529, initial, () => Date.now() - T0);
/** Times (ms from T0) between successive writes. */
const gaps = (l: FakeGpioLine) => l.writes.slice(1).map((w, i) => w.at - (l.writes[i]?.at ?? 0));

describe('status LED patterns', () => {
  it('online is steady on; showing it again writes nothing', () => {
    const l = line();
    const led = new LineLed(l, systemTimers);
    led.show('online');
    led.show('online');
    vi.advanceTimersByTime(5_000);
    expect(l.writes).toEqual([{ value: 1, at: 0 }]);
  });

  it('cloud_offline blinks at 1 Hz: on 500 ms, off 500 ms', () => {
    const l = line();
    new LineLed(l, systemTimers).show('cloud_offline');
    vi.advanceTimersByTime(2_000);
    expect(l.levels).toBe('10101');
    expect(gaps(l)).toEqual([500, 500, 500, 500]);
  });

  it('fault blinks at 4 Hz: 8 changes a second', () => {
    const l = line();
    new LineLed(l, systemTimers).show('fault');
    vi.advanceTimersByTime(1_000);
    expect(l.writes).toHaveLength(9);
    expect(new Set(gaps(l))).toEqual(new Set([LED_HALF_PERIOD_MS.fault]));
  });

  it('switching pattern stops the old blink; off and close leave the LED dark', () => {
    const l = line();
    const led = new LineLed(l, systemTimers);
    led.show('fault');
    vi.advanceTimersByTime(130);
    led.show('off');
    const n = l.writes.length;
    vi.advanceTimersByTime(2_000);
    expect(l.writes).toHaveLength(n);
    expect(l.read()).toBe(0);
    led.show('cloud_offline');
    led.close();
    vi.advanceTimersByTime(2_000);
    expect(l.read()).toBe(0);
    expect(l.writes.at(-1)).toMatchObject({ value: 0 });
  });

  it('a failing LED write is logged, not thrown', () => {
    const l = line();
    l.release();
    const { log, records } = recordingLog();
    const led = new LineLed(l, systemTimers, log);
    expect(() => led.show('online')).not.toThrow();
    expect(records.filter((r) => r.level === 50).map((r) => r.msg)).toEqual(['could not drive the status LED']);
  });
});

describe('door relay pulse', () => {
  it('energises at once and drops after the pulse; the promise resolves when it drops', async () => {
    const l = line();
    const relay = new LineRelay(l, systemTimers);
    let done = false;
    const p = relay.pulse(3_000).then(() => (done = true));
    expect(l.writes).toEqual([{ value: 1, at: 0 }]);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(l.writes).toEqual([
      { value: 1, at: 0 },
      { value: 0, at: 3_000 },
    ]);
  });

  it(
    'an overlapping pulse extends to the later end without toggling the strike; ' + 'a shorter one changes nothing',
    async () => {
      const l = line();
      const relay = new LineRelay(l, systemTimers);
      const a = relay.pulse(1_000);
      await vi.advanceTimersByTimeAsync(500);
      const b = relay.pulse(3_000);
      const c = relay.pulse(100);
      await vi.advanceTimersByTimeAsync(3_000);
      await Promise.all([a, b, c]);
      expect(l.writes).toEqual([
        { value: 1, at: 0 },
        { value: 0, at: 3_500 },
      ]);
    },
  );

  it('refuses pulses that are not 1..60000 ms, and pulses after close; close drops a held relay', async () => {
    const l = line();
    const relay = new LineRelay(l, systemTimers);
    for (const ms of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, 60_001])
      await expect(relay.pulse(ms)).rejects.toThrow(RangeError);
    expect(l.writes).toEqual([]);
    const held = relay.pulse(10_000);
    await vi.advanceTimersByTimeAsync(200);
    relay.close();
    await held;
    expect(l.levels).toBe('10');
    expect(l.writes.at(-1)?.at).toBe(200);
    await expect(relay.pulse(100)).rejects.toThrow(/closed/);
  });

  it('a line that cannot be written rejects the pulse instead of crashing', async () => {
    const l = line();
    l.release();
    await expect(new LineRelay(l, systemTimers).pulse(100)).rejects.toThrow(/after release/);
  });
});

describe('tamper switch', () => {
  it('reads its level at start (1 = open) and reports a change once it has held for the debounce time', () => {
    const l = line(0);
    const t = new LineTamper(l, systemTimers, 50);
    t.start();
    const seen: boolean[] = [];
    t.onChange((open) => seen.push(open));
    expect(t.isOpen()).toBe(false);
    l.set(1);
    vi.advanceTimersByTime(20);
    l.set(0);
    vi.advanceTimersByTime(20);
    l.set(1);
    vi.advanceTimersByTime(49);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([true]);
    expect(t.isOpen()).toBe(true);
    l.set(0);
    vi.advanceTimersByTime(50);
    expect(seen).toEqual([true, false]);
  });

  it(
    'a bounce that settles back to the old level reports nothing; ' + 'a throwing listener does not stop the others',
    () => {
      const l = line(1);
      const { log, messages } = recordingLog();
      const t = new LineTamper(l, systemTimers, 30, log);
      t.start();
      expect(t.isOpen()).toBe(true);
      const seen: boolean[] = [];
      t.onChange(() => {
        throw new Error('listener bug');
      });
      t.onChange((open) => seen.push(open));
      l.set(0);
      l.set(1);
      vi.advanceTimersByTime(100);
      expect(seen).toEqual([]);
      l.set(0);
      vi.advanceTimersByTime(30);
      expect(seen).toEqual([false]);
      expect(messages()).toEqual(['a tamper listener threw']);
    },
  );
});
