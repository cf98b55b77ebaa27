/** Injected timers, so blink patterns, pulses, debounce and retries run on a fake clock in tests. */
export type TimerHandle = unknown;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
  /** Monotonic milliseconds, for timeouts and event times that must not jump with the wall clock. */
  now(): number;
}

/**
 * The real timers. Each call looks up the global at call time (not at import), so vitest's fake timers
 * also drive code that was handed `systemTimers`.
 */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>),
  now: () => Date.now(),
};
