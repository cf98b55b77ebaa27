import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../gateway/core/clock.ts';

/**
 * A clock and the means to let its time pass. On a manual clock time passes exactly when the test says;
 * on the system clock it really passes, so the suite keeps every real wait to a few tens of
 * milliseconds, asserts order and counts (never speed), and bounds every wait for an event.
 */
export interface ClockSubject {
  clock: Clock;
  /** Lets `ms` of time pass with the event loop free, so due timers run as time goes by. */
  idle(ms: number): Promise<void>;
  /** Lets `ms` of time pass while the process is busy (no timer can run), then lets due timers run. */
  busy(ms: number): Promise<void>;
  /**
   * Timers fire exactly at their due time (a manual clock), or at some point at or after it (the
   * system clock, whose lateness depends on the machine's load).
   */
  exact: boolean;
  /** How early a real timer may look by `monotonic()` (Node schedules timers on a millisecond clock). */
  slackMs: number;
  dispose(): void;
}

/** Bound on any wait for a timer to fire, in the clock's own time; the usual wait is a few tens of ms. */
const MAX_WAIT_MS = 2000;

/** The contract of Clock (gateway/core/clock.ts): injected time and periodic work. */
export function describeClockContract(name: string, factory: () => ClockSubject): void {
  describe(`Clock contract: ${name}`, () => {
    let s: ClockSubject;
    const stops: (() => void)[] = [];
    /** Lets time pass a millisecond at a time until `done` holds; fails after MAX_WAIT_MS. */
    const until = async (done: () => boolean, what: string) => {
      const deadline = s.clock.monotonic() + MAX_WAIT_MS;
      while (!done() && s.clock.monotonic() < deadline) await s.idle(1);
      if (!done()) throw new Error(`timed out waiting for ${what}`);
    };
    const every = (ms: number, fn: () => void) => {
      const stop = s.clock.every(ms, fn);
      stops.push(stop);
      return stop;
    };
    beforeEach(() => {
      s = factory();
    });
    afterEach(() => {
      for (const stop of stops.splice(0)) stop();
      s.dispose();
    });

    it('monotonic() never goes backwards, while idle or busy', async () => {
      const seen = [s.clock.monotonic()];
      for (let i = 0; i < 5; i++) {
        for (let j = 0; j < 50; j++) seen.push(s.clock.monotonic());
        await s.idle(1);
        seen.push(s.clock.monotonic());
        await s.busy(2);
        seen.push(s.clock.monotonic());
      }
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] ?? 0);
    });

    it('monotonic() moves forward by at least the time that passed', async () => {
      const t0 = s.clock.monotonic();
      await s.idle(10);
      const t1 = s.clock.monotonic();
      await s.busy(10);
      const t2 = s.clock.monotonic();
      expect(t1 - t0).toBeGreaterThanOrEqual(10 - s.slackMs);
      expect(t2 - t1).toBeGreaterThanOrEqual(10);
      if (s.exact) expect([t1 - t0, t2 - t1]).toEqual([10, 10]);
    });

    it('now() is wall time in whole epoch milliseconds and moves forward with the time that passed', async () => {
      const w0 = s.clock.now();
      expect(Number.isSafeInteger(w0)).toBe(true);
      expect(w0).toBeGreaterThan(Date.UTC(2020, 0, 1));
      await s.busy(10);
      const w1 = s.clock.now();
      expect(w1 - w0).toBeGreaterThanOrEqual(10 - s.slackMs);
      if (s.exact) expect(w1 - w0).toBe(10);
    });

    it(
      'every(ms) first fires no earlier than ms after it was set up, ' + 'then at each further multiple of ms',
      async () => {
        const start = s.clock.monotonic();
        const fired: number[] = [];
        every(20, () => fired.push(s.clock.monotonic() - start));
        await until(() => fired.length >= 3, 'three calls');
        fired.slice(0, 3).forEach((t, k) => expect(t).toBeGreaterThanOrEqual(20 * (k + 1) - s.slackMs));
        if (s.exact) expect(fired).toEqual([20, 40, 60]);
      },
    );

    it('the function every() returns stops the calls, and may be called again harmlessly', async () => {
      let n = 0;
      const stop = every(5, () => (n += 1));
      await until(() => n >= 1, 'a first call');
      stop();
      const after = n;
      await s.idle(25);
      await s.busy(25);
      expect(n).toBe(after);
      expect(() => stop()).not.toThrow();
    });

    it('stopping from inside the callback makes that call the last', async () => {
      let n = 0;
      const stop = every(5, () => {
        n += 1;
        if (n === 2) stop();
      });
      await until(() => n >= 2, 'two calls');
      await s.idle(25);
      expect(n).toBe(2);
    });

    it('stopping one periodic call leaves the others running', async () => {
      const calls = { a: 0, b: 0 };
      const stopA = every(5, () => (calls.a += 1));
      every(5, () => (calls.b += 1));
      await until(() => calls.a >= 1, 'a first call');
      stopA();
      const { a, b } = calls;
      await until(() => calls.b >= b + 3, 'three more calls of the other');
      expect(calls.a).toBe(a);
    });

    it('periodic calls due at the same time run in the order they were set up', async () => {
      const log: string[] = [];
      for (const name of ['a', 'b', 'c']) every(5, () => log.push(name));
      await until(() => log.length >= 9, 'three rounds');
      expect(log.slice(0, 9)).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c']);
    });

    it(
      'periodic calls of different periods each run at or after their due times, ' + 'in the order time reaches them',
      async () => {
        const start = s.clock.monotonic();
        const log: [string, number][] = [];
        every(8, () => log.push(['a', s.clock.monotonic() - start]));
        every(20, () => log.push(['b', s.clock.monotonic() - start]));
        await until(() => log.filter(([n]) => n === 'b').length >= 2, 'two calls of the slower');
        for (const name of ['a', 'b']) {
          const period = name === 'a' ? 8 : 20;
          log
            .filter(([n]) => n === name)
            .forEach(([, t], k) => expect(t).toBeGreaterThanOrEqual(period * (k + 1) - s.slackMs));
        }
        for (let i = 1; i < log.length; i++) expect(log[i]?.[1]).toBeGreaterThanOrEqual(log[i - 1]?.[1] ?? 0);
        if (s.exact)
          expect(log).toEqual([
            ['a', 8],
            ['a', 16],
            ['b', 20],
            ['a', 24],
            ['a', 32],
            ['a', 40],
            ['b', 40],
          ]);
      },
    );

    it('periods missed while the process was busy are not replayed: one call, not one per missed period', async () => {
      const start = s.clock.monotonic();
      const fired: number[] = [];
      every(10, () => fired.push(s.clock.monotonic()));
      await s.busy(60);
      const end = s.clock.monotonic();
      expect(fired.length).toBeGreaterThanOrEqual(1);
      // on the system clock a loaded machine may let another full period pass before we look
      expect(fired.length).toBeLessThanOrEqual(1 + Math.floor((end - start - 60) / 10) + 1);
      if (s.exact) expect(fired).toEqual([start + 60]);
    });
  });
}
