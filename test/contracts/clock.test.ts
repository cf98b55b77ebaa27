import { ManualClock, systemClock } from '../../gateway/core/clock.ts';
import { describeClockContract } from './clock.contract.ts';

/** Resolves once the event loop has gone round: timers that fell due meanwhile have run. */
const loopTurn = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * The two clocks of the codebase (gateway/core/clock.ts): `systemClock`, which the gateway runs on,
 * and `ManualClock`, which tests inject and move by hand.
 */
describeClockContract('systemClock', () => ({
  clock: systemClock,
  // a real wait of at least `ms` by the monotonic clock (a timer alone may end a little early by it)
  idle: async (ms) => {
    const end = performance.now() + ms;
    do await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(end - performance.now()))));
    while (performance.now() < end);
  },
  busy: async (ms) => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      // the process is busy: no timer can run
    }
    await loopTurn();
  },
  exact: false,
  slackMs: 5,
  dispose: () => undefined,
}));

describeClockContract('ManualClock', () => {
  const clock = new ManualClock();
  return {
    clock,
    idle: async (ms) => {
      for (let i = 0; i < ms; i++) clock.advance(1);
    },
    busy: async (ms) => clock.advance(ms),
    exact: true,
    slackMs: 0,
    dispose: () => undefined,
  };
});
