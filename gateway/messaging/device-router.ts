import { kindModule } from '../../devices/registry.ts';
import type { TelemetrySamples } from '../health/telemetry-samples.ts';
import { EVENT_KINDS } from '../../firmware-protocol/src/messages/events.ts';
import type { CommandService } from '../commands/command-service.ts';
import type { DeviceLimits } from '../config/schema.ts';
import type { Logger } from '../core/log.ts';
import type { DeviceMonitor } from '../health/device-monitor.ts';
import type { LiveDevice } from '../health/live-device.ts';
import type { KindParts } from '../kinds/kind-parts.ts';
import type { DeviceRequestHandler } from '../redemption/device/request-handler.ts';
import type { DeviceService } from '../registry/device-service.ts';
import type { BatchWriter } from '../store/batch-writer.ts';
import type { DeviceRepo } from '../store/device-repo.ts';
import type { Downlink } from './downlink.ts';
import { UplinkRouter } from './uplink-router.ts';

type EventHandler = (deviceId: string, body: unknown, txn: string | undefined) => Promise<void>;

/**
 * Every device uplink: decoded, checked, and dispatched to the redemption engine, the first kinds' flows
 * and the kinds' parts. Events go to the handler of their name, when the device's kind declares them.
 */
export function buildDeviceRouter(d: {
  log: Logger;
  limits: DeviceLimits;
  monitor: DeviceMonitor;
  commands: CommandService;
  downlink: Downlink;
  writer: BatchWriter;
  devices: DeviceService;
  registry: DeviceRepo;
  kinds: Pick<KindParts, 'events' | 'telemetry'>;
  requests: DeviceRequestHandler;
  /** Keeps a device's temperature and signal now and then, for charts. */
  samples?: Pick<TelemetrySamples, 'offer'>;
  /** Tracks a device another process provisioned a moment ago. */
  discover(id: string): LiveDevice | undefined;
}): UplinkRouter {
  const { log, monitor, registry } = d;
  const tamper: EventHandler = async (id, body) =>
    monitor.setFinding(
      id,
      'TAMPER',
      (body as { open: boolean }).open
        ? { severity: 'fault', code: 'TAMPER', message: 'the device reports its case open (tamper switch)' }
        : undefined,
    );
  const events = new Map<string, EventHandler>([['tamper', tamper], ...d.kinds.events]);
  return new UplinkRouter({
    log: log.child({ component: 'uplink' }),
    limits: d.limits,
    setFinding: (id, key, finding) => monitor.setFinding(id, key, finding),
    monitor,
    commands: d.commands,
    downlink: d.downlink,
    recordBirth: (id, caps, fw) => {
      void d.writer
        .submit(() => d.devices.recordBirth(id, caps, fw))
        .catch((err: unknown) => log.warn({ err, deviceId: id }, 'could not record a birth'));
    },
    discover: (id) => d.discover(id),
    merchantOf: (id) => registry.get(id)?.merchantId ?? null,
    onEvent: async (live, msg) => {
      // [FWP-11.7] an event another kind declares is ignored, as one the protocol does not know
      const owners = EVENT_KINDS.get(msg.body.event);
      if (owners !== 'all' && !owners?.includes(live.kind)) return;
      await events.get(msg.body.event)?.(live.id, msg.body, msg.txn);
    },
    onTelemetry: (live, body) => {
      d.samples?.offer(live.id, body);
      d.kinds.telemetry(live.kind, live.id, body);
    },
    onRequest: (live, msg) => {
      // a kind sold for a bound merchant (a shop's scanner) sells for the shop staff bound it to, never
      // what it claims; the others (a vending machine, a locker, a pile) are their own point of sale
      const bound = registry.get(live.id)?.merchantId ?? null;
      const merchantId = kindModule(live.kind)?.pointOfSale === 'bound' ? bound : live.id;
      return d.requests.handle({ id: live.id, kind: live.kind, merchantId }, msg);
    },
  });
}
