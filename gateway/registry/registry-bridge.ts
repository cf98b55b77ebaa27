import { topics } from '../../firmware-protocol/src/topics.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/log.ts';
import type { GatewayEvents } from '../gateway-events.ts';
import type { DeviceMonitor } from '../health/device-monitor.ts';
import type { LiveDevice } from '../health/live-device.ts';
import type { Store } from '../store/store.ts';
import type { RegistryWatcher } from './registry-watcher.ts';

/** What the registry's news needs of the broker: close a device's connection, clear its retained topics. */
interface BrokerPort {
  kick(deviceId: string, reason: string): boolean;
  publish(topic: string, payload: Buffer, opts: { qos: 0 | 1; retain: boolean }): Promise<void>;
}

/**
 * The registry's news (this process's or the CLI's) reaches the broker, the monitor and the watcher,
 * and presence reaches the monitor. Returns `discover`: a device another process provisioned, tracked by
 * id before the watcher's next check finds it.
 */
export function bridgeRegistry(d: {
  bus: EventBus<GatewayEvents>;
  log: Logger;
  store: Store;
  watcher: RegistryWatcher;
  monitor: DeviceMonitor;
  broker: BrokerPort;
  writer: { submit<T>(work: () => T): Promise<T> };
}): { discover(id: string): LiveDevice | undefined } {
  const { bus, log, store, watcher, monitor, broker } = d;
  const discover = (id: string): LiveDevice | undefined => {
    const dev = store.devices.get(id);
    if (!dev) return undefined;
    watcher.remember(dev);
    return monitor.track(dev.id, dev.kind, dev.disabled, dev.lastSeenAt);
  };
  bus.on('device.registered', ({ device: dev, elsewhere }) => {
    watcher.remember(dev);
    monitor.track(dev.id, dev.kind, dev.disabled, elsewhere ? dev.lastSeenAt : undefined);
  });
  bus.on('device.revoked', ({ id, why, elsewhere }) => {
    if (!elsewhere) {
      const dev = store.devices.get(id);
      if (dev) watcher.remember(dev);
    }
    broker.kick(id, elsewhere ? `credentials ${why} by another process` : `credentials ${why}`);
    // a removed device is forgotten everywhere, whichever process removed it
    if (why !== 'removed') return;
    monitor.forget(id);
    // an empty retained message deletes a retained topic, so integrations forget the device too
    for (const topic of [topics.deviceState(id), topics.lockerOccupancy(id)])
      broker.publish(topic, Buffer.alloc(0), { qos: 1, retain: true }).catch(() => undefined);
  });
  bus.on('device.presence', (e) => {
    if (!monitor.get(e.deviceId)) discover(e.deviceId);
    if (e.type === 'connected') monitor.connected(e.deviceId, e.connectionId, e.address);
    else {
      monitor.disconnected(e.deviceId, e.connectionId, e.reason);
      void d.writer
        .submit(() => store.devices.touch(e.deviceId, e.at))
        .catch((err: unknown) => log.warn({ err }, 'could not record last-seen'));
    }
  });
  return { discover };
}
