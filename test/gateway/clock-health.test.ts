import { describe, expect, it } from 'vitest';
import { ClockHealth } from '../../gateway/core/clock-health.ts';
import { ManualClock } from '../../gateway/core/clock.ts';

describe('clock health', () => {
  it('a wall clock that moves with the monotonic one is fine; a jump is seen and distrusted for a while', () => {
    const clock = new ManualClock();
    const h = new ClockHealth(clock);
    clock.advance(1000);
    h.tick();
    expect(h.status()).toMatchObject({ state: 'unsynced', jumps: 0 });
    expect(h.trusted()).toBe(true);
    clock.advanceWall(3600_000); // NTP caught up after a boot without RTC
    h.tick();
    expect(h.status()).toMatchObject({ state: 'jumped', jumps: 1 });
    expect(h.trusted()).toBe(false);
    for (let i = 0; i < 601; i++) {
      clock.advance(1000);
      h.tick();
    }
    expect(h.status().state).toBe('unsynced');
  });

  it('compares with the cloud time hints', () => {
    const clock = new ManualClock();
    const h = new ClockHealth(clock);
    h.hint(clock.now() + 30_000);
    expect(h.status()).toMatchObject({ state: 'ok', offsetMs: 30_000 });
    // an hour ahead of the cloud (or a document that waited an hour): stricter, not unsafe
    h.hint(clock.now() - 3600_000);
    expect(h.status().state).toBe('ok');
    h.hint(clock.now() + 3600_000); // an hour behind: an old hotlist would look fresh
    expect(h.status().state).toBe('skewed');
    expect(h.trusted()).toBe(false);
  });

  it('a box that starts with its clock behind the last time it saw distrusts it until the cloud speaks', () => {
    const clock = new ManualClock();
    const h = new ClockHealth(clock, undefined, clock.now() + 86_400_000);
    expect(h.status().state).toBe('behind');
    expect(h.trusted()).toBe(false);
    expect(h.mark()).toBeUndefined();
    h.hint(clock.now() + 1000);
    expect(h.trusted()).toBe(true);
  });
});
