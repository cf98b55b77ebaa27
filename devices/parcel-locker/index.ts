import { defineKind } from '../kind-module.ts';
import { parcelLockerPart } from './part.ts';
import { parcelLockerCodes } from './codes.ts';
import { parcelLockerHealth } from './adapter.ts';
import { ParcelLockerModel } from './sim-twin.ts';
import { parcelLockerScenarios } from './sim-scenarios.ts';
import { parcelLockerWire } from './wire.ts';

/** 快递柜: courier deposits, pickups by card or code, compartments as health. */
export const parcelLocker = defineKind({
  wire: parcelLockerWire,
  health: parcelLockerHealth,
  codes: parcelLockerCodes,
  pointOfSale: 'self',
  sim: {
    prefix: 'locker',
    option: 'lockers',
    describe: 'parcel lockers',
    demo: 2,
    scenarios: parcelLockerScenarios,
    faults: ['E_LOCK_MOTOR', 'E_KEYPAD'],
    model: () => new ParcelLockerModel(),
  },
  part: parcelLockerPart,
});
