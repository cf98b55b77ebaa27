import type { Rng } from '../prng.ts';
import type { Resident, Residents } from '../resident.ts';
import type { ScenarioName } from '../scenario-table.ts';
import type { TwinDevice } from './model.ts';

/** Runs `fn` after `ms`, unless the scenario has been stopped by then. */
export type Later = (ms: number, fn: () => void) => void;

/** What a kind's part in one run of a scenario works with. */
export interface ScenarioRun {
  /** The run's seeded PRNG, so that a run can be repeated. */
  readonly rng: Rng;
  readonly residents: Residents;
  readonly later: Later;
  /** This kind's devices that are connected now. */
  online(): TwinDevice[];
  /** Logs what a flow at a device came to (`what` names the flow, e.g. 'pickup'). */
  report(deviceId: string, what: string): (result: unknown) => void;
  /** Logs a flow the gateway did not answer. */
  failed(deviceId: string): (err: unknown) => void;
  /** Logs what a device did when there is no answer to report (a door forced). */
  note(deviceId: string, what: string): void;
}

/** What a purchase came to, as the scenarios log it. */
export interface PurchaseOutcome {
  what: 'paid' | 'declined' | 'vended' | 'vend_failed_refunded' | 'error' | 'nothing_to_sell';
  detail: string;
}

/** What a stop of the demo's opening works with. */
export interface TourGuide {
  /** The opening's seeded PRNG, shared by every stop. */
  readonly rng: Rng;
  /** This kind's devices that are connected now. */
  online(): TwinDevice[];
  /**
   * A resident not yet cast in the opening, with `fen` in their wallet (and a secure credential for a bill
   * over the plain-card cap) who holds `benefit` when one is named.
   */
  who(fen: number, benefit?: string): Resident | undefined;
}

/** One stop of the demo's opening at a device of this kind. */
export interface KindTourStop {
  /**
   * Its place among every kind's stops: the opening tells one story (a café bill, two vends, a parcel, a
   * fresh-food bill, a door), so the kinds' stops interleave.
   */
  readonly at: number;
  readonly what: string;
  /** What came of it; undefined when the demo has no such device or resident (the stop is left out). */
  run(guide: TourGuide): Promise<string | undefined>;
}

/** A kind's part in the simulator's scenarios and in the demo's opening; the scenarios never name a kind. */
export interface KindScenarios {
  /**
   * A resident's turn at a device of this kind in daily life, made once per run (a locker remembers whose
   * parcels wait in it). A kind without one that sells makes a purchase instead.
   */
  daily?(run: ScenarioRun): (d: TwinDevice, member: Resident) => void;
  /**
   * Kind-specific trouble for a step of the faults scenario; undefined leaves the step to the common faults
   * (a device fault for a roll below 0.7, else a warning). `roll()` is the step's one roll, the same each time
   * it is read: a kind that takes the rolls below its share leaves the common faults the odds they had.
   */
  trouble?(d: TwinDevice, rng: Rng, later: Later, roll: () => number): string | undefined;
  /** The scenarios this kind stars in (morning-rush, locker-full, …): each step made once per run. */
  readonly steps?: Partial<Record<ScenarioName, (run: ScenarioRun) => () => void>>;
  /** One purchase by a resident, for a kind that sells (the shopping scenario, and daily life). */
  sell?(d: TwinDevice, member: Resident, rng: Rng, opts?: { failRate?: number }): Promise<PurchaseOutcome>;
  /** Its stops in the demo's opening. */
  readonly tour?: readonly KindTourStop[];
}
