import type * as z from 'zod';
import { type VendingMachineCapabilitiesSchema, vendingMachineWire } from './wire.ts';
import { between, type Rng } from '../../sim/src/prng.ts';
import type { KindModel } from '../../sim/src/kinds/model.ts';

type Caps = z.input<typeof VendingMachineCapabilitiesSchema>;

const PRODUCTS: [string, number][] = [
  ['milk-250ml', 450],
  ['yogurt-cup', 600],
  ['soy-milk', 350],
  ['eggs-6', 1200],
  ['bread-roll', 500],
  ['mineral-water', 200],
  ['green-tea', 400],
  ['cola', 350],
  ['instant-noodles', 550],
  ['apple-bag', 990],
  ['tofu', 300],
  ['steamed-buns-4', 800],
];

/** A refrigerated cashless machine with 12 slots; prices in integer fen. */
function vendingMachineCapabilities(): Caps {
  return {
    slots: PRODUCTS.map(([productId, priceFen], i) => ({
      slot: `${String.fromCharCode(65 + Math.floor(i / 4))}${(i % 4) + 1}`,
      productId,
      priceFen,
      capacity: 10,
    })),
    refrigerated: true,
    cashless: true,
  };
}

export class VendingMachineModel implements KindModel {
  temperatureC: number | undefined = 5;
  private serviceDoor: 'open' | 'closed' = 'closed';
  private readonly stock = new Map<string, number>();

  constructor(readonly capabilities: Caps = vendingMachineCapabilities()) {
    for (const s of capabilities.slots) this.stock.set(s.slot, s.capacity ?? 10);
  }

  telemetry() {
    return {
      kind: vendingMachineWire.kind,
      temperatureC: this.temperatureC,
      serviceDoor: this.serviceDoor,
      slots: [...this.stock].map(([slot, stock]) => ({ slot, stock })),
    };
  }

  command() {
    return undefined;
  }

  setOpen(_id: string | undefined, open: boolean): boolean {
    this.serviceDoor = open ? 'open' : 'closed';
    return true;
  }

  drift(rng: Rng): void {
    if (this.temperatureC !== undefined && this.temperatureC < 10)
      this.temperatureC = Math.round(between(rng, 3.5, 7) * 10) / 10;
    // residents buy things; a restock refills an empty slot
    for (const [slot, n] of this.stock) {
      if (rng() < 0.1) this.stock.set(slot, n === 0 ? 10 : n - 1);
    }
  }
}
