export { SimDevice, type SimDeviceOptions } from './sim-device.ts';
export { SimFleet, fleetIds, SimCredentialsSchema, type SimCredential, type SimFleetPlan } from './fleet.ts';
export { runScenario, SCENARIOS, type ScenarioName } from './scenarios.ts';
export { GARBAGE_KINDS, type GarbageKind } from './garbage.ts';
export { seededRng, type Rng } from './prng.ts';
export { Backoff } from './backoff.ts';
export * from './kinds/index.ts';
