import { defineKind } from '../kind-module.ts';
import { chargingPileCodes } from './codes.ts';
import { chargingPileHealth } from './adapter.ts';
import { chargingDemo } from './demo.ts';
import { chargingPilePart } from './part.ts';
import { ChargingPileModel } from './sim-twin.ts';
import { chargingPileScenarios } from './sim-flow.ts';
import { chargingPileWire } from './wire.ts';

/**
 * 电动车充电桩: residents charge e-bikes outdoors (indoor charging is banned). A tap holds the price of
 * the longest charge chosen; the pile's meter settles it when the plug comes out; over-current and
 * over-temperature cut the socket at once.
 */
export const chargingPile = defineKind({
  wire: chargingPileWire,
  health: chargingPileHealth,
  codes: chargingPileCodes,
  pointOfSale: 'self',
  sim: {
    prefix: 'pile',
    option: 'piles',
    describe: 'e-bike charging piles (ten sockets each)',
    demo: 1,
    scenarios: chargingPileScenarios,
    faults: ['E_RELAY_STUCK', 'E_METER'],
    model: () => new ChargingPileModel(),
  },
  demo: chargingDemo,
  part: chargingPilePart,
});
