/**
 * Every scenario the simulator knows, with what it shows. The CLI's help and its validation read this
 * table, so a new scenario is listed everywhere once it is added here (and handled in scenarios.ts, or by
 * the kinds that star in it: their `sim.scenarios.steps`).
 */
export const SCENARIO_TABLE = {
  steady: 'devices stay healthy: birth, heartbeats and telemetry only',
  faults: 'faults, doors left open, warm fridges and service warnings now and then',
  flapping: 'one device keeps dropping its connection',
  garbage: 'one device sends malformed messages',
  shopping: 'residents pay at shop scanners and buy at vending machines',
  'daily-life': 'residents shop, vend, pick up the parcels couriers deposit, and come home through the doors',
  'morning-rush': 'bursts of bills at the breakfast stall, with the cashier’s double submissions',
  'holiday-peak': 'every vending machine serves a resident at every step',
  'locker-full': 'couriers deposit until the lockers are full, then residents pick up',
  'vend-failures': 'jammed dispensers: failed vends are refunded, some reported only after a reconnect',
  'door-left-open': 'doors held open by residents, and forced',
} as const satisfies Record<string, string>;

export type ScenarioName = keyof typeof SCENARIO_TABLE;
export const SCENARIOS = Object.keys(SCENARIO_TABLE) as ScenarioName[];

export function isScenario(name: string): name is ScenarioName {
  return Object.hasOwn(SCENARIO_TABLE, name);
}

/** The help text's list: one scenario per line with what it does. */
export function scenarioHelp(indent = '  '): string {
  const width = Math.max(...SCENARIOS.map((s) => s.length));
  return SCENARIOS.map((s) => `${indent}${s.padEnd(width)}  ${SCENARIO_TABLE[s]}`).join('\n');
}
