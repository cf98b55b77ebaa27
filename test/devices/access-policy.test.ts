import { describe, expect, it } from 'vitest';
import { decideAccess, inWindow, type AccessRule } from '../../devices/door-reader/access-policy.ts';
import { isLocked, noLockout, recordAttempt } from '../../devices/keypad-lockout.ts';

const rules: AccessRule[] = [
  { id: 'r-home', memberId: 'm-1', zone: 'building-3', weekdays: '1234567', fromMin: 0, toMin: 1440 },
  { id: 'r-gym', memberId: 'm-1', zone: 'gym', weekdays: '12345', fromMin: 6 * 60, toMin: 22 * 60 },
  { id: 'r-night', tier: 'guard', zone: 'north-gate', weekdays: '1', fromMin: 22 * 60, toMin: 6 * 60 },
  { id: 'r-staff', tier: 'staff', zone: '*', weekdays: '1234567', fromMin: 0, toMin: 1440 },
  { id: 'r-old', memberId: 'm-2', zone: 'pool', weekdays: '1234567', fromMin: 0, toMin: 1440, validUntil: 1000 },
];
const at = (memberId: string, tier: string, zone: string, weekday: number, minute: number, now = 5000) =>
  decideAccess({ memberId, tier, zone, weekday, minute, now, rules });

describe('access policy', () => {
  it('grants by member rule and zone, denies other zones', () => {
    expect(at('m-1', 'regular', 'building-3', 3, 600)).toEqual({ granted: true, ruleId: 'r-home' });
    expect(at('m-1', 'regular', 'building-4', 3, 600)).toEqual({ granted: false, reason: 'NO_ACCESS' });
  });
  it('time windows: weekdays, hours, and windows over midnight belong to the day they start', () => {
    expect(at('m-1', 'regular', 'gym', 6, 600)).toEqual({ granted: false, reason: 'OUTSIDE_HOURS' });
    expect(at('m-1', 'regular', 'gym', 5, 22 * 60)).toEqual({ granted: false, reason: 'OUTSIDE_HOURS' });
    expect(at('g', 'guard', 'north-gate', 1, 23 * 60).granted).toBe(true);
    expect(at('g', 'guard', 'north-gate', 2, 5 * 60).granted).toBe(true); // Monday night shift, Tuesday 05:00
    expect(at('g', 'guard', 'north-gate', 2, 23 * 60).granted).toBe(false);
    expect(inWindow({ weekdays: '7', fromMin: 22 * 60, toMin: 60 }, 1, 30)).toBe(true); // Sunday night into Monday
  });
  it('staff tier opens every zone; expired rules say so', () => {
    expect(at('s-1', 'staff', 'pump-room', 7, 200)).toEqual({ granted: true, ruleId: 'r-staff' });
    expect(at('m-2', 'regular', 'pool', 1, 600)).toEqual({ granted: false, reason: 'ACCESS_EXPIRED' });
  });
});

describe('keypad lockout', () => {
  it('locks after N wrong codes within the period, for the period; a right code does not forgive failures', () => {
    let s = noLockout;
    for (let i = 0; i < 4; i++) s = recordAttempt(s, false, i * 1000, 5, 60_000);
    expect(isLocked(s, 4000)).toBe(false);
    s = recordAttempt(s, false, 5000, 5, 60_000);
    expect(isLocked(s, 5000)).toBe(true);
    expect(isLocked(s, 64_999)).toBe(true);
    expect(isLocked(s, 65_000)).toBe(false);
    let t = noLockout;
    for (let i = 0; i < 4; i++) t = recordAttempt(t, false, i, 5, 60_000);
    t = recordAttempt(t, true, 10, 5, 60_000);
    t = recordAttempt(t, false, 11, 5, 60_000);
    expect(isLocked(t, 11)).toBe(true);
  });
  it('old failures fall out of the window', () => {
    let s = noLockout;
    for (let i = 0; i < 4; i++) s = recordAttempt(s, false, i * 30_000, 5, 60_000);
    s = recordAttempt(s, false, 120_001, 5, 60_000);
    expect(isLocked(s, 120_001)).toBe(false);
  });
});
