import type { Config } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/log.ts';
import { TURN_BUDGET_MS, TurnBudget } from '../core/turn-budget.ts';
import type { GatewayEvents } from '../gateway-events.ts';
import type { Store } from '../store/store.ts';
import { DeviceMonitor } from './device-monitor.ts';
import { HealthSink } from './health-sink.ts';

type HealthSinkArgs = ConstructorParameters<typeof HealthSink>;

/** The device monitor (verdicts in memory) and the sink that stores and publishes them, wired to the bus. */
export interface DeviceHealth {
  monitor: DeviceMonitor;
  health: HealthSink;
  /** Records the verdicts every known device got while the gateway was built: call once the broker answers. */
  recordStartVerdicts(): void;
}

/**
 * Builds the monitor and the sink, tracks every device in the registry, and records every verdict the
 * bus carries. The first verdicts of every known device ("waiting for it to reconnect") are recorded
 * only once the broker answers, a turn's budget at a time: at a box's start they are a row each for a
 * thousand devices (20–25 ms of writes here), which would otherwise delay the first CONNACK. Every
 * verdict goes through that same queue (one of its own: a CONNECT never waits behind a thousand rows of
 * history), so a device's later verdicts are never written before its first.
 */
export function wireDeviceHealth(d: {
  config: Config;
  clock: Clock;
  log: Logger;
  bus: EventBus<GatewayEvents>;
  store: Store;
  writer: HealthSinkArgs[1];
  publisher: HealthSinkArgs[2];
  outbox: HealthSinkArgs[4];
}): DeviceHealth {
  const { clock, bus, store } = d;
  const health = new HealthSink(
    store.health,
    d.writer,
    d.publisher,
    d.log.child({ component: 'health' }),
    d.outbox,
    () => clock.monotonic(),
  );
  const monitor = new DeviceMonitor(d.config.health, clock, (change) => bus.emit('device.health', change));
  let startVerdicts: (() => void)[] | undefined = [];
  const verdicts = new TurnBudget(TURN_BUDGET_MS, () => clock.monotonic());
  bus.on('device.health', (change) => {
    const telemetry = monitor.get(change.deviceId)?.telemetry;
    const record = () => health.record(change, telemetry);
    if (startVerdicts) startVerdicts.push(record);
    else verdicts.run(record);
  });
  for (const dev of store.devices.list())
    monitor.track(dev.id, dev.kind, dev.disabled, dev.lastSeenAt, 'gateway_start');
  return {
    monitor,
    health,
    recordStartVerdicts: () => {
      const held = startVerdicts ?? [];
      startVerdicts = undefined;
      for (const record of held) verdicts.run(record);
    },
  };
}
