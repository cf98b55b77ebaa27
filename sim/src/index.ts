export { SimDevice, type SimDeviceOptions } from './sim-device.ts';
export {
  SimFleet,
  fleetIds,
  SIM_ID_PREFIX,
  SimCredentialsSchema,
  type SimCredential,
  type SimFleetPlan,
} from './fleet.ts';
export {
  claimSimDevices,
  createdBy,
  simDeviceName,
  SIM_MARK,
  DEMO_MARK,
  type Claimed,
  type RegistryPort,
} from './claim.ts';
export { runScenario } from './scenarios.ts';
export { SCENARIOS, SCENARIO_TABLE, isScenario, scenarioHelp, type ScenarioName } from './scenario-table.ts';
export { GARBAGE_KINDS, type GarbageKind } from './garbage.ts';
export { seededRng, type Rng } from './prng.ts';
export { Backoff } from './backoff.ts';
export type { KindModel, AckBody, ModelEffects, TwinCommand } from './kinds/model.ts';
export { demoResidents } from './residents.ts';
export type { Resident, Residents } from './resident.ts';
export { presentedBy, plainCard } from './resident.ts';
export { generateDemoCardKeys, redemptionSettingsFor, type DemoCardKeys } from './demo-cards.ts';
export { shop } from './purchases.ts';
export { CloudTwin, type TwinStream } from './cloud-twin.ts';
export { startEmbeddedCloud } from './embedded-cloud.ts';
