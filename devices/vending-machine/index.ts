import { defineKind } from '../kind-module.ts';
import { vendingMachinePart } from './part.ts';
import { vendingDemo } from './demo.ts';
import { vendingMachineCodes } from './codes.ts';
import { vendingMachineHealth } from './adapter.ts';
import { VendingMachineModel } from './sim-twin.ts';
import { vendingMachineScenarios } from './sim-scenarios.ts';
import { vendingMachineWire } from './wire.ts';

/** 自动售货机: the MDB-style cashless session, temperature and stock as health. */
export const vendingMachine = defineKind({
  wire: vendingMachineWire,
  health: vendingMachineHealth,
  codes: vendingMachineCodes,
  pointOfSale: 'self',
  sim: {
    prefix: 'vm',
    option: 'vending',
    describe: 'vending machines',
    demo: 2,
    scenarios: vendingMachineScenarios,
    faults: ['E_COIN_JAM', 'E_DISPENSER', 'E_COMPRESSOR'],
    model: () => new VendingMachineModel(),
  },
  demo: vendingDemo,
  part: vendingMachinePart,
});
