/**
 * Locks a keypad after too many wrong codes, so a code cannot be guessed: after `maxWrong` failures
 * within `lockMs` the keypad refuses every code until `lockMs` after the last failure. A right code
 * does not forgive earlier failures (else a guesser holding one valid code could guess without end):
 * failures only age out. Pure: the caller keeps the state per device.
 */
export interface LockoutState {
  failures: readonly number[];
  lockedUntil: number | undefined;
}

export const noLockout: LockoutState = { failures: [], lockedUntil: undefined };

export function isLocked(s: LockoutState, now: number): boolean {
  return s.lockedUntil !== undefined && now < s.lockedUntil;
}

export function recordAttempt(
  s: LockoutState,
  ok: boolean,
  now: number,
  maxWrong: number,
  lockMs: number,
): LockoutState {
  if (ok) return s;
  const failures = [...s.failures.filter((t) => now - t < lockMs), now];
  return failures.length >= maxWrong
    ? { failures: [], lockedUntil: now + lockMs }
    : { failures, lockedUntil: isLocked(s, now) ? s.lockedUntil : undefined };
}
