import type { Gateway } from '../../gateway/app.ts';
import type { KindPart } from '../../devices/kind-part.ts';
import type { DoorReaderPart } from '../../devices/door-reader/part.ts';
import { doorReaderWire } from '../../devices/door-reader/wire.ts';
import type { ParcelLockerPart } from '../../devices/parcel-locker/part.ts';
import { parcelLockerWire } from '../../devices/parcel-locker/wire.ts';
import type { VendingMachinePart } from '../../devices/vending-machine/part.ts';
import { vendingMachineWire } from '../../devices/vending-machine/wire.ts';

function partOf<P extends KindPart>(gw: Gateway, kind: string): P {
  const part = gw.kinds.part(kind);
  if (!part) throw new Error(`the gateway has no part for ${kind}`);
  return part as P;
}

/** The parcel lockers' side of a running gateway (its flow, parcels and group buys), for tests. */
export const lockerOf = (gw: Gateway) => partOf<ParcelLockerPart>(gw, parcelLockerWire.kind);
/** The door readers' side of a running gateway (its flow and access records), for tests. */
export const doorsOf = (gw: Gateway) => partOf<DoorReaderPart>(gw, doorReaderWire.kind);
/** The vending machines' side of a running gateway (their sessions), for tests. */
export const vendingOf = (gw: Gateway) => partOf<VendingMachinePart>(gw, vendingMachineWire.kind);
