import { describe, expect, it } from 'vitest';
import { Lockout } from '../../broker/src/limits/lockout.ts';
import { TokenBucketLimiter } from '../../broker/src/limits/rate-limit.ts';
import { SlidingWindowCounter } from '../../broker/src/limits/sliding-window.ts';
import { ManualClock } from '../../gateway/core/clock.ts';

describe('SlidingWindowCounter', () => {
  it('counts hits within the window only', () => {
    const c = new SlidingWindowCounter({ windowMs: 60_000, maxHits: 10, maxKeys: 100 });
    expect(c.hit('a', 0)).toBe(1);
    expect(c.hit('a', 30_000)).toBe(2);
    expect(c.hit('a', 59_999)).toBe(3);
    expect(c.hit('a', 60_001)).toBe(3); // the hit at 0 left the window
    expect(c.count('a', 200_000)).toBe(0);
    expect(c.size).toBe(0); // and an empty key is forgotten
  });

  it('saturates at maxHits per key and forgets the least recently used keys beyond maxKeys', () => {
    const c = new SlidingWindowCounter({ windowMs: 60_000, maxHits: 3, maxKeys: 100 });
    for (let i = 0; i < 50; i++) c.hit('a', i);
    expect(c.count('a', 50)).toBe(3);
    for (let i = 0; i < 1000; i++) c.hit(`k${i}`, 100);
    expect(c.size).toBe(100);
    expect(c.count('k999', 100)).toBe(1);
    expect(c.count('k0', 100)).toBe(0);
  });
});

describe('Lockout', () => {
  const make = (clock: ManualClock, maxKeys = 1000) =>
    new Lockout({ maxFailures: 3, windowMs: 60_000, lockMs: 300_000, maxKeys }, () => clock.monotonic());

  it('locks a key after maxFailures within the window, for lockMs', () => {
    const clock = new ManualClock();
    const l = make(clock);
    expect(l.fail('door-01')).toBe(false);
    expect(l.fail('door-01')).toBe(false);
    expect(l.lockedFor('door-01')).toBe(0);
    expect(l.fail('door-01')).toBe(true);
    expect(l.lockedFor('door-01')).toBe(300_000);
    clock.advance(299_999);
    expect(l.lockedFor('door-01')).toBe(1);
    clock.advance(1);
    expect(l.lockedFor('door-01')).toBe(0);
    // a fresh start after the lock
    expect(l.fail('door-01')).toBe(false);
  });

  it('failures spread wider than the window never lock', () => {
    const clock = new ManualClock();
    const l = make(clock);
    for (let i = 0; i < 10; i++) {
      expect(l.fail('vm-01')).toBe(false);
      clock.advance(31_000);
    }
    expect(l.failuresOf('vm-01')).toBe(1);
    expect(l.lockedFor('vm-01')).toBe(0);
  });

  it('a success forgets the failures; failures while locked do not extend the lock', () => {
    const clock = new ManualClock();
    const l = make(clock);
    l.fail('a');
    l.fail('a');
    l.succeed('a');
    expect(l.fail('a')).toBe(false);
    l.fail('a');
    expect(l.fail('a')).toBe(true);
    clock.advance(100_000);
    expect(l.fail('a')).toBe(false);
    expect(l.lockedFor('a')).toBe(200_000);
  });

  it('keys are independent and memory stays bounded under a flood of keys', () => {
    const clock = new ManualClock();
    const l = make(clock, 50);
    for (let i = 0; i < 3; i++) l.fail('victim');
    for (let i = 0; i < 5000; i++) {
      l.fail(`x${i}`);
      l.fail(`x${i}`);
      l.fail(`x${i}`);
    }
    expect(l.size.failing).toBeLessThanOrEqual(50);
    expect(l.size.locked).toBeLessThanOrEqual(50);
    expect(l.lockedFor('x4999')).toBeGreaterThan(0);
  });
});

describe('TokenBucketLimiter', () => {
  it('allows a burst of capacity, then refills continuously', () => {
    const clock = new ManualClock();
    const r = new TokenBucketLimiter({ capacity: 3, refillMs: 60_000, maxKeys: 100 }, () => clock.monotonic());
    expect([r.take('10.0.0.7'), r.take('10.0.0.7'), r.take('10.0.0.7')]).toEqual([true, true, true]);
    expect(r.take('10.0.0.7')).toBe(false);
    expect(r.take('10.0.0.8')).toBe(true); // per address
    clock.advance(19_999);
    expect(r.take('10.0.0.7')).toBe(false);
    clock.advance(1);
    expect(r.take('10.0.0.7')).toBe(true); // one token per 20 s
    expect(r.take('10.0.0.7')).toBe(false);
    clock.advance(10 * 60_000);
    expect(r.level('10.0.0.7')).toBe(3); // never above capacity
  });

  it('stays bounded: idle (full) buckets go first, then the least recently used', () => {
    const clock = new ManualClock();
    const r = new TokenBucketLimiter({ capacity: 2, refillMs: 60_000, maxKeys: 10 }, () => clock.monotonic());
    r.take('busy');
    r.take('busy');
    for (let i = 0; i < 1000; i++) r.take(`a${i}`);
    expect(r.size).toBeLessThanOrEqual(10);
    clock.advance(120_000);
    for (let i = 0; i < 20; i++) r.take(`b${i}`);
    expect(r.size).toBeLessThanOrEqual(10);
  });
});
