import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/log.ts';
import type { GatewayEvents } from '../gateway-events.ts';
import {
  deviceDiscovery,
  deviceRemoval,
  gatewayDiscovery,
  type DiscoveredDevice,
  type DiscoveryMessage,
  type DiscoverySettings,
} from './ha-discovery.ts';

interface HomeAssistantDeps {
  settings: DiscoverySettings;
  bus: Pick<EventBus<GatewayEvents>, 'on'>;
  /** The registry's devices at start (store.devices.list()). */
  devices: () => readonly DiscoveredDevice[];
  /** The kind's label for HA's model field (`kindModule(kind)?.wire.label`). */
  modelOf?: (kind: string) => string | undefined;
  /** Publishes one retained message on the embedded broker. */
  publish: (m: DiscoveryMessage) => Promise<void>;
  log: Logger;
}

/**
 * Publishes Home Assistant discovery configs, retained on the embedded broker: every device at start,
 * a device again when it is registered or changed, its removal when it is deleted. A disabled device
 * keeps its entities (its status says offline); only a removed one leaves HA.
 */
export class HomeAssistantDiscovery {
  private readonly off: (() => void)[] = [];

  constructor(private readonly d: HomeAssistantDeps) {}

  /** Call once the broker runs; publishes everything and follows the registry until stop(). */
  start(): Promise<void> {
    const { bus } = this.d;
    this.off.push(
      bus.on('device.registered', ({ device }) => void this.send(this.configOf(device))),
      bus.on('device.revoked', ({ id, why }) => {
        if (why === 'removed') void this.send(deviceRemoval(id, this.d.settings));
      }),
    );
    return this.send([...gatewayDiscovery(this.d.settings), ...this.d.devices().flatMap((x) => this.configOf(x))]);
  }

  stop(): void {
    for (const off of this.off.splice(0)) off();
  }

  private configOf(device: DiscoveredDevice): DiscoveryMessage[] {
    const model = device.model ?? this.d.modelOf?.(device.kind);
    return deviceDiscovery({ ...device, model }, this.d.settings);
  }

  /** A message that was not published is logged: HA shows the entity at the next start or change. */
  private async send(messages: DiscoveryMessage[]): Promise<void> {
    await Promise.all(
      messages.map((m) =>
        this.d.publish(m).catch((err: unknown) => this.d.log.warn({ err, topic: m.topic }, 'discovery not published')),
      ),
    );
  }
}
