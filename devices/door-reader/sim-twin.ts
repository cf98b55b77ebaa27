import type * as z from 'zod';
import { type DoorReaderCapabilitiesSchema, doorReaderWire } from './wire.ts';
import { between, type Rng } from '../../sim/src/prng.ts';
import type { KindModel } from '../../sim/src/kinds/model.ts';

type Caps = z.input<typeof DoorReaderCapabilitiesSchema>;

function doorReaderCapabilities(): Caps {
  return { doors: [{ id: 'main', location: 'building lobby', hasDoorSensor: true }], readers: ['nfc', 'qr'] };
}

export class DoorReaderModel implements KindModel {
  temperatureC: number | undefined = 20;
  tamper = false;
  private readonly doors = new Map<string, { state: 'open' | 'closed'; lock: 'locked' | 'unlocked' }>();

  constructor(readonly capabilities: Caps = doorReaderCapabilities()) {
    for (const d of capabilities.doors) this.doors.set(d.id, { state: 'closed', lock: 'locked' });
  }

  telemetry() {
    return {
      kind: doorReaderWire.kind,
      temperatureC: this.temperatureC,
      tamper: this.tamper,
      doors: [...this.doors].map(([id, d]) => ({ id, state: d.state, lock: d.lock })),
    };
  }

  command(body: Parameters<KindModel['command']>[0], fx: Parameters<KindModel['command']>[1]) {
    if (body.name !== 'unlock_door') return undefined;
    const args = doorReaderWire.commands.unlock_door.parse(body.args);
    const door = this.doors.get(args.door);
    if (!door) return { status: 'rejected' as const, reason: 'E_NO_SUCH_DOOR', detail: `no door ${args.door}` };
    door.lock = 'unlocked';
    fx.changed();
    fx.later(args.pulseMs, () => {
      door.lock = 'locked';
      fx.changed();
    });
    return { status: 'done' as const, result: { door: args.door } };
  }

  setOpen(id: string | undefined, open: boolean): boolean {
    const key = id ?? this.doors.keys().next().value;
    const door = key === undefined ? undefined : this.doors.get(key);
    if (!door) return false;
    door.state = open ? 'open' : 'closed';
    return true;
  }

  drift(rng: Rng): void {
    this.temperatureC = Math.round(between(rng, 15, 25) * 10) / 10;
  }
}
