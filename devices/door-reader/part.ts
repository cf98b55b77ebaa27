import type { KindPart, KindPartPorts } from '../kind-part.ts';
import { AccessFlow } from './access-flow.ts';
import { AccessRepo } from './access-repo.ts';
import { type AccessRoutePorts, accessRoutes } from './routes.ts';
import type { DoorEvent } from './wire.ts';

/** The gateway side of door readers, and what staff, the cloud and tests reach of it. */
export interface DoorReaderPart extends KindPart, AccessRoutePorts {}

/** [FWP-11.6] Door access decided locally (rules, visitor codes, activity check-ins) and the doors' state. */
export function doorReaderPart(p: KindPartPorts): DoorReaderPart {
  const accessRepo = new AccessRepo(p.db);
  const access = new AccessFlow({
    access: accessRepo,
    catalog: p.catalog,
    resolver: p.resolver,
    service: p.service,
    secrets: p.secrets,
    writer: p.writer,
    clock: p.clock,
    log: p.log,
    timezone: p.settings.timezone,
    settings: p.settings.flows.access,
    leftOpenMs: p.settings.leftOpenMs,
    capabilitiesOf: p.capabilitiesOf,
    setFinding: p.setFinding,
    outbox: p.outbox,
  });
  const ports: AccessRoutePorts = { access, accessRepo, now: () => p.clock.now() };
  return {
    ...ports,
    requests: access,
    routes: accessRoutes(ports),
    events: { door: async (deviceId, body) => access.onEvent(deviceId, body as DoorEvent) },
    deskDoor: (deviceId, door, credential, txn) => access.localTap(deviceId, door, credential, txn),
    cloudDocs: {
      visitors(body, now) {
        for (const c of body.codes) {
          const codeHash = p.secrets.codeHash('visitor', c.code);
          if (accessRepo.visitorCode(codeHash)) continue;
          accessRepo.addVisitorCode(
            {
              codeHash,
              zone: c.zone,
              hostMemberId: c.hostMemberId,
              label: 'cloud',
              validFrom: c.validFrom,
              expiresAt: c.expiresAt,
              usesLeft: c.uses,
            },
            now,
          );
        }
      },
    },
    demoSetup(deviceIds) {
      // residents of every tier may open their building's doors at any hour
      for (const tier of ['regular', 'silver', 'gold'])
        accessRepo.addRule({
          id: `demo-${tier}`,
          tier,
          zone: 'residential',
          weekdays: '1234567',
          fromMin: 0,
          toMin: 1440,
        });
      for (const id of deviceIds) accessRepo.setZone(id, 'main', 'residential');
    },
    tick: async () => access.tick(),
  };
}
