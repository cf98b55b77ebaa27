import type { KindScenarios } from './kind-scenarios.ts';

/**
 * The faults scenario's trouble for a kind with doors: on a roll below 0.35 someone leaves the first one
 * open, long enough for the gateway's door-left-open alert, and it is closed again later.
 */
export const doorLeftOpen: NonNullable<KindScenarios['trouble']> = (d, _rng, later, roll) => {
  if (roll() >= 0.35) return undefined;
  d.openDoor();
  later(150_000, () => d.closeDoor());
  return 'door left open';
};
