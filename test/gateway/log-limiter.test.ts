import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/core/clock.ts';
import { createLogger } from '../../gateway/core/log.ts';
import { FORGOTTEN_KEYS, limitedLogger, LogLimiter, type LogLimiterOptions } from '../../gateway/core/log-limiter.ts';

const make = (over: Partial<LogLimiterOptions> = {}) => {
  const clock = new ManualClock();
  const limiter = new LogLimiter({ perKey: 3, total: 100, windowMs: 60_000, maxKeys: 10, ...over }, () =>
    clock.monotonic(),
  );
  return { clock, limiter };
};

const allowed = (limiter: LogLimiter, key: string, n: number) => {
  let written = 0;
  for (let i = 0; i < n; i++) if (limiter.check(key).log) written += 1;
  return written;
};

describe('LogLimiter', () => {
  it('lets the first perKey lines of a window through and counts the rest', () => {
    const { limiter } = make();
    expect(allowed(limiter, 'a', 1000)).toBe(3);
    expect(allowed(limiter, 'b', 2)).toBe(2); // keys are independent
  });

  it('reports the suppressed count with the key’s next written line, in the next window', () => {
    const { clock, limiter } = make();
    allowed(limiter, 'a', 10);
    clock.advance(59_999);
    expect(limiter.check('a')).toEqual({ log: false });
    clock.advance(1);
    expect(limiter.check('a')).toEqual({ log: true, suppressed: 8 });
    expect(limiter.check('a')).toEqual({ log: true, suppressed: 0 });
  });

  it('sweep() reports ended windows with suppressed lines once, and forgets ended windows', () => {
    const { clock, limiter } = make();
    allowed(limiter, 'a', 5);
    allowed(limiter, 'b', 2);
    expect(limiter.sweep()).toEqual([]); // not ended yet
    clock.advance(60_000);
    expect(limiter.sweep()).toEqual([{ key: 'a', suppressed: 2 }]);
    expect(limiter.size).toBe(0);
    expect(limiter.sweep()).toEqual([]);
    expect(limiter.check('a')).toEqual({ log: true, suppressed: 0 }); // reported already
  });

  it('flush() reports windows still running', () => {
    const { limiter } = make();
    allowed(limiter, 'a', 7);
    expect(limiter.flush()).toEqual([{ key: 'a', suppressed: 4 }]);
    expect(limiter.flush()).toEqual([]);
  });

  it('bounds lines over all keys together', () => {
    const { limiter } = make({ perKey: 2, total: 5 });
    let written = 0;
    for (let i = 0; i < 50; i++) written += allowed(limiter, `k${i % 5}`, 10);
    expect(written).toBe(5);
  });

  it('remembers at most maxKeys; counts of forgotten keys are reported under "*"', () => {
    const { clock, limiter } = make({ perKey: 1, total: 10_000, maxKeys: 10 });
    for (let i = 0; i < 1000; i++) allowed(limiter, `k${i}`, 3);
    expect(limiter.size).toBe(10);
    clock.advance(60_000);
    const summaries = limiter.sweep();
    expect(summaries).toContainEqual({ key: FORGOTTEN_KEYS, suppressed: 990 * 2 });
    expect(summaries.reduce((n, s) => n + s.suppressed, 0)).toBe(1000 * 2);
  });
});

describe('limitedLogger', () => {
  it('writes the allowed lines and one summary line with the count', () => {
    const { clock, limiter } = make();
    const lines: { level: number; msg: string; key?: string; suppressed?: number }[] = [];
    const log = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
    const limited = limitedLogger(log, limiter);
    for (let i = 0; i < 20_000; i++) limited.warn('flood:10.0.0.7', { i }, 'refused');
    expect(lines).toHaveLength(3);
    clock.advance(60_000);
    limited.sweep();
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatchObject({
      level: 40,
      msg: '19997 similar messages suppressed',
      key: 'flood:10.0.0.7',
      suppressed: 19_997,
    });
  });
});
