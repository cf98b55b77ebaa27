import type { KindPart, KindPartPorts } from '../kind-part.ts';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { GroupBuyRepo } from './group-buy-repo.ts';
import { GroupBuyService, placeOrder } from './group-buys.ts';
import { LockerFlow } from './locker-flow.ts';
import { ParcelRepo } from './parcel-repo.ts';
import { type LockerRoutePorts, lockerRoutes } from './routes.ts';
import type { LockerEvent } from './wire.ts';

/** The gateway side of parcel lockers, and what staff, the cloud and tests reach of it. */
export interface ParcelLockerPart extends KindPart, LockerRoutePorts {}

/**
 * [FWP-11.5] Parcels deposited and picked up (codes, cards, group-buy goods), the compartments' doors,
 * the occupancy lockers publish, and the group buys whose goods are picked up here.
 */
export function parcelLockerPart(p: KindPartPorts): ParcelLockerPart {
  const parcels = new ParcelRepo(p.db);
  const groupBuyRepo = new GroupBuyRepo(p.db);
  const locker = new LockerFlow({
    parcels,
    groupBuys: groupBuyRepo,
    catalog: p.catalog,
    resolver: p.resolver,
    secrets: p.secrets,
    writer: p.writer,
    clock: p.clock,
    log: p.log,
    settings: p.settings.flows.locker,
    leftOpenMs: p.settings.leftOpenMs,
    capabilitiesOf: p.capabilitiesOf,
    setFinding: p.setFinding,
    publishOccupancy: (id, occupancy) => p.publishRetained(topics.lockerOccupancy(id), JSON.stringify(occupancy)),
    outbox: p.outbox,
  });
  const groupBuys = new GroupBuyService({
    repo: groupBuyRepo,
    parcels,
    catalog: p.catalog,
    writer: p.writer,
    clock: p.clock,
  });
  const ports: LockerRoutePorts = { locker, parcels, groupBuys, groupBuyRepo };
  return {
    ...ports,
    requests: locker,
    routes: lockerRoutes(ports),
    events: { compartment: (deviceId, body, txn) => locker.onEvent(deviceId, body as LockerEvent, txn) },
    cloudDocs: {
      groupbuys(body, now) {
        for (const o of body.orders) {
          if (!groupBuyRepo.get(o.id)) groupBuyRepo.create(o.id, o.title, o.targetQty, o.closesAt, now);
          // orders of members this gateway does not know yet wait for the catalog
          for (const buyer of o.buyers)
            if (p.catalog.member(buyer.memberId))
              placeOrder(groupBuyRepo, parcels, o.id, buyer.memberId, buyer.qty, now);
        }
      },
    },
    // compartments a restart left opening are picked up before the lockers reconnect
    start: () => locker.recover(),
    async tick() {
      await locker.tick();
      await groupBuys.expire();
    },
  };
}
