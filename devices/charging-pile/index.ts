import { defineKind } from '../kind-module.ts';
import { chargingPileHealth } from './adapter.ts';
import { chargingPilePart } from './part.ts';
import { ChargingPileModel } from './sim-twin.ts';
import { chargingPileWire } from './wire.ts';

/**
 * 电动车充电桩: residents charge e-bikes outdoors (indoor charging is banned). A tap holds the price of
 * the longest charge chosen; the pile's meter settles it when the plug comes out; over-current and
 * over-temperature cut the socket at once.
 */
export const chargingPile = defineKind({
  wire: chargingPileWire,
  health: chargingPileHealth,
  pointOfSale: 'self',
  sim: {
    prefix: 'pile',
    option: 'piles',
    faults: ['E_RELAY_STUCK', 'E_METER'],
    model: () => new ChargingPileModel(),
  },
  part: chargingPilePart,
});
