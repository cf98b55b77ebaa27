import { kindModule } from '../../devices/registry.ts';
import type { PurchaseOutcome } from './kinds/kind-scenarios.ts';
import type { Rng } from './prng.ts';
import type { Resident } from './resident.ts';
import type { SimDevice } from './sim-device.ts';

/** Whether devices of this kind sell (the shopping scenario picks among them). */
export function sells(kind: string): boolean {
  return kindModule(kind)?.sim.scenarios?.sell !== undefined;
}

/** One purchase at a device of a kind that sells, as that kind sells (a bill, an item from a slot, …). */
export function shop(d: SimDevice, r: Resident, rng: Rng, opts: { failRate?: number } = {}): Promise<PurchaseOutcome> {
  const sell = kindModule(d.kind)?.sim.scenarios?.sell;
  // a flow in progress keeps the device busy: the fleet knows when every started flow has ended
  return d.flow(async () =>
    sell ? sell(d, r, rng, opts) : { what: 'nothing_to_sell', detail: `a ${d.kind} does not sell` },
  );
}
