import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/log.ts';
import { kindModule } from '../../devices/registry.ts';
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

  /**
   * Home Assistant finds the devices by itself when the config opts in (`homeAssistant.discovery`): retained
   * discovery configs on the embedded broker. Undefined when it does not.
   */
  static forConfig(
    config: { gateway: { id: string; name: string }; homeAssistant: { discovery: boolean; prefix: string } },
    g: {
      bus: HomeAssistantDeps['bus'];
      store: { devices: { list(): DiscoveredDevice[] } };
      broker: { publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void> };
      log: Logger;
    },
  ): HomeAssistantDiscovery | undefined {
    if (!config.homeAssistant.discovery) return undefined;
    return new HomeAssistantDiscovery({
      settings: { gatewayId: config.gateway.id, gatewayName: config.gateway.name, prefix: config.homeAssistant.prefix },
      bus: g.bus,
      devices: () => g.store.devices.list(),
      modelOf: (kind) => kindModule(kind)?.wire.label,
      publish: (m) => g.broker.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain }),
      log: g.log.child({ component: 'home-assistant' }),
    });
  }

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
