import type * as z from 'zod';
import { type ParcelLockerCapabilitiesSchema, parcelLockerWire } from './wire.ts';
import { between, type Rng } from '../../sim/src/prng.ts';
import type { KindModel } from '../../sim/src/kinds/model.ts';

type Caps = z.input<typeof ParcelLockerCapabilitiesSchema>;

/** A 24-compartment locker bank: 12 small, 8 medium, 4 large. */
function parcelLockerCapabilities(): Caps {
  const size = (i: number): 'S' | 'M' | 'L' => (i < 12 ? 'S' : i < 20 ? 'M' : 'L');
  return {
    compartments: Array.from({ length: 24 }, (_, i) => ({ id: String(i + 1), size: size(i), refrigerated: false })),
    hasKeypad: true,
    hasScanner: true,
  };
}

export class ParcelLockerModel implements KindModel {
  temperatureC: number | undefined = 22;
  private readonly doors = new Map<string, 'open' | 'closed'>();
  private readonly occupied = new Set<string>();

  constructor(readonly capabilities: Caps = parcelLockerCapabilities()) {
    for (const c of capabilities.compartments) this.doors.set(c.id, 'closed');
  }

  telemetry() {
    return {
      kind: parcelLockerWire.kind,
      temperatureC: this.temperatureC,
      compartments: [...this.doors].map(([id, door]) => ({ id, door, occupied: this.occupied.has(id) })),
    };
  }

  command(body: Parameters<KindModel['command']>[0], fx: Parameters<KindModel['command']>[1]) {
    if (body.name !== 'open_compartment') return undefined;
    const id = parcelLockerWire.commands.open_compartment.parse(body.args).compartment;
    if (!this.doors.has(id))
      return { status: 'rejected' as const, reason: 'E_NO_SUCH_COMPARTMENT', detail: `no compartment ${id}` };
    this.doors.set(id, 'open');
    this.occupied.delete(id);
    fx.changed();
    // a resident takes the parcel and closes the door a few seconds later
    fx.later(3000, () => {
      this.doors.set(id, 'closed');
      fx.changed();
    });
    return { status: 'done' as const, result: { compartment: id } };
  }

  setOpen(id: string | undefined, open: boolean): boolean {
    const key = id ?? this.doors.keys().next().value;
    if (key === undefined || !this.doors.has(key)) return false;
    this.doors.set(key, open ? 'open' : 'closed');
    return true;
  }

  drift(rng: Rng): void {
    this.temperatureC = Math.round(between(rng, 18, 26) * 10) / 10;
    // couriers fill compartments and residents empty them
    const ids = [...this.doors.keys()];
    const id = ids[Math.floor(rng() * ids.length)];
    if (id !== undefined) {
      if (this.occupied.has(id)) this.occupied.delete(id);
      else this.occupied.add(id);
    }
  }
}
