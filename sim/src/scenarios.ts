import { KIND_MODULES, kindModule } from '../../devices/registry.ts';
import type { Logger } from '../../gateway/core/log.ts';
import { GARBAGE_KINDS } from './garbage.ts';
import type { Later, ScenarioRun } from './kinds/kind-scenarios.ts';
import { pick, type Rng } from './prng.ts';
import { sells, shop } from './purchases.ts';
import type { Resident, Residents } from './resident.ts';
import { isScenario, SCENARIOS, type ScenarioName } from './scenario-table.ts';
import type { SimDevice } from './sim-device.ts';

export { SCENARIOS, type ScenarioName } from './scenario-table.ts';
export type { Resident, Residents } from './resident.ts';

/** Each kind's own device fault codes, from its kind module. */
const faultsOf = (kind: string): readonly string[] => kindModule(kind)?.sim.faults ?? ['E_GENERIC'];
/** A kind's part in the scenarios: its residents' use, trouble, starring scenarios, purchases. */
const scenariosOf = (kind: string) => kindModule(kind)?.sim.scenarios;

/**
 * Named behaviours for a fleet, each step `intervalMs` apart, until the returned stop function is
 * called. Randomness comes from the given seeded PRNG, so a run can be repeated.
 */
export function runScenario(
  name: ScenarioName,
  devices: SimDevice[],
  rng: Rng,
  log: Logger,
  intervalMs = 8000,
  residents: Residents = { members: [] },
): () => void {
  if (!isScenario(name)) throw new Error(`unknown scenario "${name}"; choose one of: ${SCENARIOS.join(', ')}`);
  const timers: NodeJS.Timeout[] = [];
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(fn, ms);
    t.unref();
    timers.push(t);
  };
  const step = stepFor(name, devices, rng, log, later, residents);
  if (step && devices.length > 0) {
    const t = setInterval(step, intervalMs);
    t.unref();
    timers.push(t);
  }
  return () => timers.forEach((t) => clearTimeout(t));
}

function stepFor(
  name: ScenarioName,
  devices: SimDevice[],
  rng: Rng,
  log: Logger,
  later: Later,
  residents: Residents,
): (() => void) | undefined {
  // what a kind's part in this run works with: its own devices, the run's PRNG, residents, timers and log
  const runOf = (kind: string): ScenarioRun => ({
    rng,
    residents,
    later,
    online: () => devices.filter((d) => d.connected && d.kind === kind),
    report: (deviceId, what) => (r) => log.info({ deviceId, what, result: r }, `scenario ${name}`),
    failed: (deviceId) => (err) =>
      log.debug({ deviceId, err: err instanceof Error ? err.message : String(err) }, `scenario ${name}: no answer`),
    note: (deviceId, what) => log.info({ deviceId }, `scenario ${name}: ${what}`),
  });
  const purchase = (d: SimDevice, who: Resident) =>
    void shop(d, who, rng).then(
      (what) => log.info({ deviceId: d.id, ...what }, 'scenario: purchase'),
      (err: unknown) => log.debug({ deviceId: d.id, err }, 'scenario: purchase failed'),
    );
  switch (name) {
    case 'steady':
      return undefined;
    case 'flapping': {
      const victim = pick(rng, devices);
      return () => victim?.drop();
    }
    case 'garbage': {
      const victim = pick(rng, devices);
      let i = 0;
      return () => {
        const kind = GARBAGE_KINDS[i++ % GARBAGE_KINDS.length];
        if (victim && kind) void victim.sendGarbage(kind).catch(() => undefined);
      };
    }
    case 'daily-life': {
      // an ordinary day: residents shop and vend, couriers deposit parcels, residents pick them up and come home
      const turns = new Map(KIND_MODULES.map((m) => [m.wire.kind, m.sim.scenarios?.daily?.(runOf(m.wire.kind))]));
      return () => {
        const d = pick(
          rng,
          devices.filter((x) => x.connected),
        );
        const member = pick(rng, residents.members);
        if (!d || !member) return;
        const turn = turns.get(d.kind);
        if (turn) turn(d, member);
        else if (sells(d.kind)) purchase(d, member);
      };
    }
    case 'shopping':
      // residents pay at the devices that sell (shop scanners, vending machines) with their cards
      return () => {
        const who = pick(rng, residents.members);
        const d = pick(
          rng,
          devices.filter((x) => x.connected && sells(x.kind)),
        );
        if (!who || !d) return;
        purchase(d, who);
      };
    case 'faults':
      return () => {
        const d = pick(rng, devices);
        if (!d?.connected) return;
        // one roll for the step, read by the kind's trouble and by the common faults alike
        let rolled: number | undefined;
        const roll = () => {
          rolled ??= rng();
          return rolled;
        };
        const trouble = scenariosOf(d.kind)?.trouble?.(d, rng, later, roll);
        if (trouble) {
          log.info({ deviceId: d.id }, `scenario: ${trouble}`);
        } else if (roll() < 0.7) {
          const code = pick(rng, [...faultsOf(d.kind)]);
          log.info({ deviceId: d.id, code }, 'scenario: device fault');
          d.setFault(code);
          later(45_000, () => d.clearFault(code));
        } else {
          log.info({ deviceId: d.id }, 'scenario: warning');
          d.setWarning('W_SERVICE_DUE');
          later(30_000, () => d.clearWarning('W_SERVICE_DUE'));
        }
      };
    default: {
      // a scenario some kinds star in (morning-rush, locker-full, …): each of them takes its step
      const steps = KIND_MODULES.flatMap((m) => {
        const make = m.sim.scenarios?.steps?.[name];
        return make ? [make(runOf(m.wire.kind))] : [];
      });
      if (steps.length === 0) return undefined;
      return () => {
        for (const s of steps) s();
      };
    }
  }
}
