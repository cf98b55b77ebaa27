import { defineKind } from '../kind-module.ts';
import { doorReaderPart } from './part.ts';
import { doorReaderCodes } from './codes.ts';
import { doorReaderHealth } from './adapter.ts';
import { DoorReaderModel } from './sim-twin.ts';
import { doorReaderScenarios } from './sim-scenarios.ts';
import { doorReaderWire } from './wire.ts';

/** 门禁: access by card, member QR or visitor code; doors and tamper as health. */
export const doorReader = defineKind({
  wire: doorReaderWire,
  health: doorReaderHealth,
  codes: doorReaderCodes,
  pointOfSale: 'self',
  sim: {
    prefix: 'door',
    option: 'doors',
    describe: 'NFC door readers',
    demo: 3,
    scenarios: doorReaderScenarios,
    faults: ['E_READER_ANTENNA', 'E_LOCK_RELAY'],
    model: () => new DoorReaderModel(),
  },
  part: doorReaderPart,
});
