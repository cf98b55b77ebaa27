import type { HealthFinding } from '../../devices/adapter.ts';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { RedemptionEngine } from '../redemption/wire.ts';
import type { Store } from '../store/store.ts';
import { AccessFlow } from '../../devices/door-reader/access-flow.ts';
import { GroupBuyService } from './group-buys.ts';
import { LockerFlow } from '../../devices/parcel-locker/locker-flow.ts';
import type { LockerOccupancy } from '../../firmware-protocol/src/messages/state.ts';
import { AccessRepo } from '../../devices/door-reader/access-repo.ts';
import { GroupBuyRepo } from './store/group-buy-repo.ts';
import { ParcelRepo } from '../../devices/parcel-locker/parcel-repo.ts';
import { VendingFlow } from '../../devices/vending-machine/vending-flow.ts';
import type { LockerEvent } from '../../devices/parcel-locker/wire.ts';
import type { DoorEvent } from '../../devices/door-reader/wire.ts';
import type { OutboxPort } from '../cloud/outbox-port.ts';

export interface DeviceFlows {
  vending: VendingFlow;
  locker: LockerFlow;
  access: AccessFlow;
  groupBuys: GroupBuyService;
  parcels: ParcelRepo;
  accessRepo: AccessRepo;
  groupBuyRepo: GroupBuyRepo;
  /** Clears a finding staff have dealt with (a forced door, a vend after void). */
  acknowledge(deviceId: string, key: string): void;
  /** The gateway's wall clock, for validating times staff give. */
  now(): number;
  /** Handlers of the locker's and door reader's events, by event name [FWP-11.7]. */
  events: Record<string, (deviceId: string, body: unknown, txn: string | undefined) => Promise<void>>;
  /** Picks up what the flows left in progress before a restart (lockers' open compartments). */
  recover(): void;
  /** Runs every flow's timeouts; called by the gateway's one-second tick. */
  tick(): Promise<void>;
}

/** The device flows on the redemption engine, registered with its request handler. */
export function createDeviceFlows(o: {
  store: Store;
  config: Config;
  clock: Clock;
  log: Logger;
  engine: RedemptionEngine;
  capabilitiesOf(deviceId: string): unknown;
  setFinding(deviceId: string, key: string, finding: HealthFinding | undefined): void;
  publishOccupancy(lockerId: string, occupancy: LockerOccupancy): void;
  outbox?: OutboxPort | undefined;
}): DeviceFlows {
  const { store, config, clock, log, engine } = o;
  const f = config.flows;
  const leftOpenMs = config.health.doorOpenAlertS * 1000;
  const parcels = new ParcelRepo(store.db);
  const groupBuyRepo = new GroupBuyRepo(store.db);
  const accessRepo = new AccessRepo(store.db);
  const vending = new VendingFlow({
    service: engine.service,
    resolver: engine.resolver,
    ledger: engine.ledger,
    catalog: engine.catalog,
    redemptions: engine.redemptions,
    clock,
    log: log.child({ component: 'vending' }),
    lowTrustPerTxnFen: () => engine.service.lowTrustLimits.perTxnFen,
    timeouts: {
      sessionMs: f.vending.sessionS * 1000,
      approvalMs: f.vending.approvalS * 1000,
      vendResultMs: f.vending.vendResultS * 1000,
      completeMs: 5000,
    },
    onAnomaly: (deviceId, code) =>
      o.setFinding(deviceId, code, {
        severity: 'degraded',
        code,
        message: 'an item was dispensed after its hold had been voided (not charged)',
      }),
  });
  const locker = new LockerFlow({
    parcels,
    groupBuys: groupBuyRepo,
    catalog: engine.catalog,
    resolver: engine.resolver,
    secrets: engine.secrets,
    writer: engine.writer,
    clock,
    log: log.child({ component: 'locker' }),
    settings: f.locker,
    leftOpenMs,
    capabilitiesOf: o.capabilitiesOf,
    setFinding: o.setFinding,
    publishOccupancy: o.publishOccupancy,
    outbox: o.outbox,
  });
  const access = new AccessFlow({
    access: accessRepo,
    catalog: engine.catalog,
    resolver: engine.resolver,
    service: engine.service,
    secrets: engine.secrets,
    writer: engine.writer,
    clock,
    log: log.child({ component: 'access' }),
    timezone: config.gateway.timezone,
    settings: f.access,
    leftOpenMs,
    capabilitiesOf: o.capabilitiesOf,
    setFinding: o.setFinding,
    outbox: o.outbox,
  });
  const groupBuys = new GroupBuyService({
    repo: groupBuyRepo,
    parcels,
    catalog: engine.catalog,
    writer: engine.writer,
    clock,
  });
  engine.handler.use(vending).use(locker).use(access);
  // one tick at a time; a tick asked for while one runs starts after it (with what changed meanwhile)
  let chain: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
  const runOnce = async () => {
    queued = undefined;
    await vending.tick();
    await locker.tick();
    access.tick();
    await groupBuys.expire();
  };
  return {
    vending,
    locker,
    access,
    groupBuys,
    parcels,
    accessRepo,
    groupBuyRepo,
    events: {
      compartment: (deviceId, body, txn) => locker.onEvent(deviceId, body as LockerEvent, txn),
      door: async (deviceId, body) => access.onEvent(deviceId, body as DoorEvent),
    },
    acknowledge: (deviceId, key) => o.setFinding(deviceId, key, undefined),
    recover: () => locker.recover(),
    now: () => clock.now(),
    tick() {
      if (queued) return queued;
      const next = chain.then(runOnce);
      queued = next;
      chain = next.catch(() => undefined);
      return next;
    },
  };
}
